import { keyIdPrefix } from '@keyhaven/contracts';
import { isStale } from '../domain/clusters.ts';
import { pluginReportsOf } from '../domain/plugin-reports.ts';
import type { EngineContext } from '../domain/context.ts';
import { EngineError } from '../domain/errors.ts';
import type { JobRecord, PluginReportRecord, RootKeyRecord } from '../domain/records.ts';

/**
 * What a connected cluster's migration needs of its API servers, seen through their plug-ins'
 * reports: all of them took the job's key before it starts, and all are still there on each page.
 */

/**
 * Every API server of the cluster must still be there, through its plug-in's reports: one whose
 * plug-in fell silent or unhealthy pauses the job (the runner retries it, and Master status
 * says why) until it reports again, or an Administrator removes it under Connection.
 */
/** The key_id prefix a Keyhaven plug-in reports for the job's root key version. */
export const jobKeyIdPrefix = (job: Pick<JobRecord, 'instanceId' | 'crkId' | 'keyVersion'>) =>
  keyIdPrefix({ instanceId: job.instanceId, keyId: job.crkId, versionId: job.keyVersion });

export async function requireApiServers(
  ctx: EngineContext,
  silentMs: number,
  job: JobRecord,
  key: RootKeyRecord,
): Promise<void> {
  const now = ctx.clock.now();
  const silentBefore = now.getTime() - silentMs;
  const missing = (await pluginReportsOf(ctx, job.clusterId)).filter(
    (r) => r.healthz !== 'ok' || Date.parse(r.reportedAt) < silentBefore,
  );
  if (missing.length === 0) return;
  const why = missing
    .map((r) =>
      r.healthz === 'ok'
        ? `${r.resource} has not reported since ${r.reportedAt} (is its API server or plug-in down?)`
        : `${r.resource} reports ${r.healthz}`,
    )
    .join('; ');
  throw new EngineError(
    503,
    'API_SERVER_MISSING',
    `Re-encryption under root key ${key.name} waits for every API server of the cluster: KMS plug-in ${why}. It goes on when the plug-in reports again, or once an Administrator removes it under Connection.`,
    undefined,
    15,
  );
}

export function notTaken(
  job: JobRecord,
  key: RootKeyRecord,
  reports: PluginReportRecord[],
  now: Date,
): EngineError {
  const why =
    reports.length === 0
      ? 'no Keyhaven KMS plug-in of this cluster has reported: is it installed with the configuration from Keyhaven, and does the API server use it?'
      : `waiting for ${reports
          .filter((r) => !r.keyId?.startsWith(jobKeyIdPrefix(job)))
          .map((r) =>
            isStale(r, now)
              ? `${r.resource} (silent since ${r.reportedAt}: if its API server is gone, an Administrator removes it under Connection)`
              : `${r.resource} (${r.healthz === 'ok' ? 'still on the previous key' : r.healthz})`,
          )
          .join(', ')}`;
  return new EngineError(
    503,
    'KEY_NOT_TAKEN',
    `The API server has not taken root key ${key.name} yet: ${why}`,
    undefined,
    5,
  );
}
