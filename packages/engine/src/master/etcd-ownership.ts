import { randomUUID } from 'node:crypto';
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from 'pino';
import type { JobOwnership } from './ownership.ts';

const OWNERS = '/keyhaven/job-owners/';

/**
 * Job ownership among engine replicas on one etcd: a replica owns a cluster's job while its key
 * under /keyhaven/job-owners/ exists, attached to the replica's lease. When the replica dies the
 * lease expires (after ttlSeconds), etcd deletes the key, and the other replicas, watching those
 * keys, race to take the job over from its checkpoint. Even if two replicas ever ran one job (a
 * replica cut off from etcd past its lease), each batch is a transaction on the job's revision,
 * so one of them fails and nothing is written twice.
 */
export class EtcdOwnership implements JobOwnership {
  readonly replicaId = randomUUID();
  private lease: Lease;
  private readonly listeners = new Set<(clusterId: string) => void>();
  private unwatch: (() => void) | undefined;
  /** Jobs owned under the current lease. */
  private readonly owned = new Set<string>();

  constructor(
    private readonly client: Etcd3,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {
    this.lease = this.newLease();
  }

  private newLease(): Lease {
    const lease = this.client.lease(this.ttlSeconds);
    lease.on('lost', (err) => {
      this.log.warn({ msg: err.message }, 'job ownership lease lost; taking a new one');
      this.owned.clear();
      this.lease = this.newLease();
      // Jobs this replica owned are free again: offer them to whoever is watching (this replica too).
      for (const listener of this.listeners) listener('*');
    });
    return lease;
  }

  async acquire(clusterId: string) {
    const key = OWNERS + clusterId;
    const lease = this.lease;
    const leaseId = await lease.grant();
    const result = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(this.replicaId).lease(leaseId))
      .commit();
    if (!result.succeeded || lease !== this.lease) return undefined;
    this.owned.add(clusterId);
    return async () => {
      this.owned.delete(clusterId);
      await this.client
        .if(key, 'Value', '==', this.replicaId)
        .then(this.client.delete().key(key))
        .commit()
        .catch((err: Error) =>
          this.log.warn({ msg: err.message, clusterId }, 'could not release a job'),
        );
    };
  }

  holds(clusterId: string): boolean {
    return this.owned.has(clusterId);
  }

  async onRelease(listener: (clusterId: string) => void): Promise<void> {
    this.listeners.add(listener);
    if (this.unwatch) return;
    const watcher = await this.client.watch().prefix(OWNERS).create();
    watcher.on('delete', (kv) => {
      const clusterId = kv.key.toString().slice(OWNERS.length);
      for (const l of this.listeners) l(clusterId);
    });
    this.unwatch = () => void watcher.cancel().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.unwatch?.();
    this.listeners.clear();
    // Revoking frees this replica's jobs at once instead of after the lease's time-to-live.
    await this.lease.revoke().catch(() => undefined);
  }
}
