import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('engine settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      KEYHAVEN_ENGINE_PORT: 8081,
      KEYHAVEN_DATA_DIR: './data',
      KEYHAVEN_STORE: 'sqlite',
      KEYHAVEN_KEY_ADAPTER: 'software',
      KEYHAVEN_JOB_BATCH_SIZE: 1000,
      KEYHAVEN_JOB_PAUSE_MS: 0,
    });
  });

  it('names every bad setting in one readable error', () => {
    expect(() =>
      loadConfig({
        KEYHAVEN_ENGINE_PORT: 'eighty',
        KEYHAVEN_STORE: 'redis',
        KEYHAVEN_DEMO_PASSWORD: 'short',
      }),
    ).toThrow(
      /Invalid engine settings:\n {2}KEYHAVEN_ENGINE_PORT: .*\n {2}KEYHAVEN_STORE: .*\n {2}KEYHAVEN_DEMO_PASSWORD: must be at least 8 characters/,
    );
  });
});
