export interface ControllerSettings {
  /** Secrets re-encrypted per store transaction (bounded by the store's txn limit). */
  batchSize: number;
  /** Longest pause between retries of a job whose key adapter or store is failing. */
  maxRetryDelayMs: number;
  /** How often expiry of root keys is checked (R9). */
  expirySweepMs: number;
  /** Pause between batches, to pace re-encryption and spare the store (0: only yield). */
  batchPauseMs: number;
  /** Connected clusters: Secrets listed per page of the storage migration. */
  migrationPageSize: number;
  /** Connected clusters: Secrets written back at once. */
  migrationConcurrency: number;
  /** Connected clusters: most Secrets written back per second, to spare the API server (0: no limit). */
  migrationRate: number;
  /** Connected clusters: how long a job waits for the API servers to take the key before it says so. */
  takeTimeoutMs: number;
  /**
   * Connected clusters: a plug-in silent this long (or unhealthy) pauses a running migration. An
   * API server reports through its plug-in's Status, about once a minute, and an unchanged report
   * is stored at most every 30 s: a live one is never this quiet.
   */
  pluginSilentMs: number;
}

export const defaultControllerSettings: ControllerSettings = {
  batchSize: 1000,
  maxRetryDelayMs: 15_000,
  batchPauseMs: 0,
  expirySweepMs: 30_000,
  migrationPageSize: 250,
  migrationConcurrency: 8,
  migrationRate: 1000,
  takeTimeoutMs: 120_000,
  pluginSilentMs: 150_000,
};
