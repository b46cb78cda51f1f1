/**
 * Who runs a cluster's job. One engine on SQLite owns every job; on etcd a lease decides, so that
 * exactly one replica runs each job and another takes over when the owner dies.
 */
export interface JobOwnership {
  /** Resolves to a release function when this process may run the job, or undefined. */
  acquire(clusterId: string): Promise<(() => Promise<void>) | undefined>;
  /** Calls back with a cluster id when another owner lets a job go ('*': any job may be free). */
  onRelease?(listener: (clusterId: string) => void): Promise<void>;
  /** Whether this process still owns the job (false once its lease is gone). */
  holds?(clusterId: string): boolean;
  close?(): Promise<void>;
}

export class LocalOwnership implements JobOwnership {
  private readonly held = new Set<string>();

  async acquire(clusterId: string) {
    if (this.held.has(clusterId)) return undefined;
    this.held.add(clusterId);
    return async () => {
      this.held.delete(clusterId);
    };
  }
}
