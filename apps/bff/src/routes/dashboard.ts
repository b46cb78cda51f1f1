import {
  Dashboard,
  type Cluster,
  type DashboardKey,
  type DashboardMigration,
  type RootKey,
  engineApi,
} from '@keyhaven/contracts';
import { HttpError } from '@keyhaven/server';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';
import { kmsHeaders } from './kms.ts';

/** The latest migrations the dashboard lists. */
export const DASHBOARD_MIGRATIONS = 10;

/** One root key as the dashboard charts it. */
export function dashboardKey(key: RootKey, instanceName: string): DashboardKey {
  return {
    id: key.id,
    name: key.name,
    instanceId: key.instanceId,
    instanceName,
    state: key.state,
    creationDate: key.creationDate,
    lastRotateDate: key.lastRotateDate ?? null,
    nextRotationDate: key.nextRotationDate ?? null,
    expirationDate: key.expirationDate ?? null,
    usedBy: key.registrations.length,
  };
}

/**
 * A cluster's latest re-encryption with its rate: secrets done per second from when it began
 * (a connected cluster's migration begins when its API servers took the key) to its end, or to
 * `now` while it runs; null when no time has passed or there was nothing to do.
 */
export function migrationOf(cluster: Cluster, now: Date): DashboardMigration | null {
  const job = cluster.enablement;
  if (!job) return null;
  const begun = Date.parse(job.takenAt ?? job.startedAt);
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now.getTime();
  const seconds = (end - begun) / 1000;
  return {
    clusterId: cluster.id,
    clusterName: cluster.name,
    reason: job.reason,
    state: job.state,
    rootKeyName: cluster.kms?.crkName ?? null,
    done: job.progress.done,
    total: job.progress.total,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt ?? null,
    perSecond: seconds > 0 && job.progress.done > 0 ? job.progress.done / seconds : null,
  };
}

/** The fleet dashboard: root keys of every instance the user reads, and the latest migrations. */
export function dashboardRoutes(route: Route, engine: EngineClient) {
  route(
    {
      method: 'get',
      path: '/dashboard',
      summary: "The fleet dashboard's root keys (every readable instance) and latest migrations",
      operationId: 'getDashboard',
      tag: 'Clusters',
      response: Dashboard,
    },
    async ({ session, requestId }) => {
      const as = { token: session.token, requestId };
      const [{ instances }, clusters] = await Promise.all([
        engine.call(engineApi.listKmsInstances, as),
        engine.call(engineApi.listClusters, as),
      ]);
      const unreadInstances: string[] = [];
      const keys = await Promise.all(
        instances.map(async (instance) => {
          try {
            const { resources } = await engine.call(engineApi.listKeys, {
              ...as,
              headers: kmsHeaders(instance.id),
            });
            return resources.map((k) => dashboardKey(k, instance.name));
          } catch (err) {
            // An instance the user may list but not read is said, not a failed dashboard.
            if (!(err instanceof HttpError && (err.status === 403 || err.status === 404)))
              throw err;
            unreadInstances.push(instance.name);
            return [];
          }
        }),
      );
      const now = new Date();
      const migrations = clusters
        .map((c) => migrationOf(c, now))
        .filter((m): m is DashboardMigration => m !== null)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, DASHBOARD_MIGRATIONS);
      return { keys: keys.flat(), migrations, unreadInstances: unreadInstances.sort() };
    },
  );
}
