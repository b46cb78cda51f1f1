import { engineApi, type Cluster } from '@keyhaven/contracts';
import type { EngineApi } from './client.ts';
import { CliError } from './errors.ts';

/** The cluster named by `-c`: its ID or its name, as the seeds' CLI accepts either. */
export async function findCluster(api: EngineApi, nameOrId: string): Promise<Cluster> {
  const clusters = await api.call(engineApi.listClusters, {});
  const found =
    clusters.find((c) => c.id === nameOrId) ?? clusters.find((c) => c.name === nameOrId);
  if (!found)
    throw new CliError(
      `The cluster ${nameOrId} could not be found. List the clusters you can see with \`keyhaven ks cluster ls\`.`,
    );
  return found;
}
