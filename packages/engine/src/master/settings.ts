export interface ControllerSettings {
  /** Secrets re-encrypted per store transaction (bounded by the store's txn limit). */
  batchSize: number;
  /** Longest pause between retries of a job whose key adapter or store is failing. */
  maxRetryDelayMs: number;
  /** How often expiry of root keys is checked (R9). */
  expirySweepMs: number;
  /** Pause between batches, to pace re-encryption and spare the store (0: only yield). */
  batchPauseMs: number;
}

export const defaultControllerSettings: ControllerSettings = {
  batchSize: 1000,
  maxRetryDelayMs: 15_000,
  batchPauseMs: 0,
  expirySweepMs: 30_000,
};
