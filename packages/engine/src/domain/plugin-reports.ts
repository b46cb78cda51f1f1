import { PLUGIN_STALE_MINUTES, ago, parseKeyId, type PluginReport } from '@keyhaven/contracts';
import type { Compare, Op } from '../store/types.ts';
import type { Activity } from './activity.ts';
import { isStale } from './clusters.ts';
import type { Connections } from './connections.ts';
import { getDoc, json, listDocs, type EngineContext } from './context.ts';
import { EngineError, badRequest, conflict, notFound } from './errors.ts';
import { requirePlatformRole, type Iam, type PluginScope, type Principal } from './iam.ts';
import {
  StoreKey,
  type ClusterRecord,
  type PluginReportRecord,
  type RootKeyRecord,
  type UserRecord,
} from './records.ts';

/** A refused report is noted in the audit log at most this often per plug-in and reason. */
const REFUSAL_NOTE_MS = 60_000;
/** Refusals remembered for that; past it the memory starts again (a few more notes, no more). */
const REFUSALS_KEPT = 10_000;

/** A report that says nothing new is written at most this often (it keeps reportedAt fresh). */
const REPORT_REFRESH_MS = 30_000;

/** What each plug-in of the cluster last reported. */
export const pluginReportsOf = (ctx: EngineContext, clusterId: string) =>
  listDocs<PluginReportRecord>(ctx.store, StoreKey.pluginReports(clusterId)).then((docs) =>
    docs.map((d) => d.value),
  );

/**
 * What the KMS plug-ins of a connected cluster report (issue 25): only the cluster's own plug-in
 * identity, each API key for one resource, a key_id only with the registration the engine minted;
 * a plug-in that fell silent is shown so and an Administrator removes it.
 */
export class PluginReports {
  /** When each refusal (cluster/resource/code) was last noted in the audit log. */
  private readonly refusals = new Map<string, number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly connections: Connections,
    private readonly activity: Activity,
    private readonly iam: Iam,
  ) {}

  reports(clusterId: string): Promise<PluginReportRecord[]> {
    return pluginReportsOf(this.ctx, clusterId);
  }

  /**
   * Records a plug-in's report; true when it says something new (health or key taken). Only the
   * cluster's own plug-in identity reports, each API key for the one resource it is bound to, and
   * a key_id counts only with the registration the engine minted for that resource (issue 25).
   */
  async report(principal: Principal, clusterId: string, report: PluginReport): Promise<boolean> {
    const cluster = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId));
    if (!cluster) throw notFound('Cluster', clusterId);
    requirePlatformRole(principal, cluster.value, 'Viewer');
    if (principal.plugin?.clusterId !== clusterId)
      throw new EngineError(
        403,
        'FORBIDDEN',
        `Only the KMS plug-in of cluster ${cluster.value.name}, with an API key from its Set up KMS plug-in, reports for it.`,
      );
    if (!cluster.value.connection)
      throw conflict('NOT_CONNECTED', `Cluster ${cluster.value.name} is not a connected cluster.`);
    const plugin = principal.plugin;
    await this.refusalsNoted(cluster.value, report.resource, async () => {
      await this.iam.bindPluginResource(principal, report.resource);
      if (report.encryptKeyId) await this.checkMinted(plugin, report.resource, report.encryptKeyId);
    });
    const key = StoreKey.pluginReport(clusterId, report.resource);
    const previous = await getDoc<PluginReportRecord>(this.ctx.store, key);
    const now = this.ctx.clock.now();
    const next: PluginReportRecord = {
      resource: report.resource,
      healthz: report.healthz,
      ...((report.encryptKeyId ?? previous?.value.keyId) && {
        keyId: report.encryptKeyId ?? previous?.value.keyId,
      }),
      reportedAt: now.toISOString(),
    };
    const changed = previous?.value.healthz !== next.healthz || previous.value.keyId !== next.keyId;
    if (
      !changed &&
      previous &&
      now.getTime() - Date.parse(previous.value.reportedAt) < REPORT_REFRESH_MS
    )
      return false;
    await this.ctx.store.txn(
      [],
      [
        { type: 'put', key, value: json(next) },
        // What it says anew is in the audit log; its periodic "nothing new" is not.
        ...(changed
          ? this.activity.ops({
              accountId: cluster.value.accountId,
              actor: `kms-plugin ${report.resource}`,
              action: 'cluster.plugin-report',
              target: { kind: 'cluster', id: clusterId },
              result: 'success',
              message: `KMS plug-in ${report.resource} reported health ${next.healthz}${next.keyId ? ` and key_id ${next.keyId}` : ''}.`,
            })
          : []),
      ],
    );
    return changed;
  }

  /**
   * Runs the report's checks; a refusal goes to the cluster's audit log (once a minute per
   * plug-in and reason, so a plug-in that repeats itself cannot flood the log) and is thrown on.
   */
  private async refusalsNoted(
    cluster: ClusterRecord,
    resource: string,
    checks: () => Promise<void>,
  ) {
    try {
      await checks();
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      const now = this.ctx.clock.now().getTime();
      const noted = `${cluster.id}/${resource}/${err.code}`;
      if (now - (this.refusals.get(noted) ?? -Infinity) >= REFUSAL_NOTE_MS) {
        if (this.refusals.size >= REFUSALS_KEPT) this.refusals.clear();
        this.refusals.set(noted, now);
        await this.activity.record({
          accountId: cluster.accountId,
          actor: `kms-plugin ${resource}`,
          action: 'cluster.plugin-report',
          target: { kind: 'cluster', id: cluster.id },
          result: 'failure',
          message: `Refused a report of KMS plug-in ${resource}: ${err.message}`,
        });
      }
      throw err;
    }
  }

  /**
   * Removes a plug-in that stopped reporting (its API server was taken away), so that key changes
   * no longer wait for it, and revokes the API keys bound to it. A plug-in that still reports is
   * alive: removing it would only hide it until its next report, so that is refused.
   */
  async removeReport(principal: Principal, clusterId: string, resource: string): Promise<void> {
    const cluster = await this.connections.administered(principal, clusterId);
    const key = StoreKey.pluginReport(clusterId, resource);
    const report = await getDoc<PluginReportRecord>(this.ctx.store, key);
    if (!report) throw notFound('KMS plug-in', resource);
    const now = this.ctx.clock.now();
    if (!isStale(report.value, now))
      throw conflict(
        'PLUGIN_REPORTING',
        `KMS plug-in ${resource} reported ${ago(report.value.reportedAt, now.getTime())}: it is alive. A plug-in can be removed once it has been silent for ${PLUGIN_STALE_MINUTES} minutes (its API server is gone).`,
      );
    const user = await getDoc<UserRecord>(this.ctx.store, StoreKey.pluginUser(clusterId));
    const revoked = user?.value.apiKeys.filter((k) => k.resource === resource) ?? [];
    const ops: Op[] = [
      { type: 'delete', key },
      ...revoked.map((k) => ({ type: 'delete' as const, key: `/keyhaven/apikeys/${k.id}` })),
      ...this.activity.ops({
        accountId: cluster.accountId,
        actor: principal.username,
        action: 'cluster.plugin-remove',
        target: { kind: 'cluster', id: clusterId },
        result: 'success',
        message: `Removed KMS plug-in ${resource}, silent since ${report.value.reportedAt}${revoked.length ? `, and revoked its API key ${revoked.map((k) => k.id).join(', ')}` : ''}.`,
      }),
    ];
    const compares: Compare[] = [{ key, modRevision: report.modRevision }];
    if (user && revoked.length > 0) {
      compares.push({ key: StoreKey.pluginUser(clusterId), modRevision: user.modRevision });
      const kept = user.value.apiKeys.filter((k) => k.resource !== resource);
      ops.push({
        type: 'put',
        key: StoreKey.pluginUser(clusterId),
        value: json({ ...user.value, apiKeys: kept }),
      });
    }
    const { succeeded } = await this.ctx.store.txn(compares, ops);
    if (!succeeded)
      throw conflict(
        'PLUGIN_REPORTING',
        `KMS plug-in ${resource} reported meanwhile: it is alive.`,
      );
  }

  /**
   * Refuses a key_id that the engine did not mint for this resource: one of the cluster's root
   * keys, a version it has, and the registration id the resource holds with that key now.
   */
  private async checkMinted(scope: PluginScope, resource: string, keyId: string): Promise<void> {
    const refuse = (why: string) =>
      badRequest('KEY_ID_NOT_MINTED', `encryptKeyId ${why}`, { field: 'encryptKeyId' });
    const ref = parseKeyId(keyId);
    if (!ref) throw refuse('is not a key_id that a Keyhaven KMS plug-in writes');
    const key = scope.keyIds.includes(ref.keyId)
      ? await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(ref.keyId))
      : undefined;
    if (!key || key.value.instanceId !== ref.instanceId)
      throw refuse('names a root key that this cluster does not use');
    if (!key.value.versions.some((v) => v.id === ref.versionId))
      throw refuse(`names a version that root key ${key.value.name} does not have`);
    const minted = key.value.plugins?.some(
      (p) => p.resource === resource && p.registrationId === ref.registrationId,
    );
    if (!minted)
      throw refuse(
        `does not carry the registration that Keyhaven minted for ${resource} with root key ${key.value.name}`,
      );
  }
}
