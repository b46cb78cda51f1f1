import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceArgs } from '../../../scripts/build.mjs';
import { freePort, spawnEngine, tokenFor } from './process.ts';

/**
 * Issue 26: the engine as the Helm chart runs it, without demo data: the first administrator's
 * password comes from a file, and a password too short to keep stops the start with the reason.
 */
const dir = mkdtempSync(join(tmpdir(), 'kh-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an engine without demo data', () => {
  it('makes its first administrator from KEYHAVEN_ADMIN_PASSWORD_FILE', async () => {
    const file = join(dir, 'admin-password');
    writeFileSync(file, 'a-long-first-password\n', { mode: 0o600 });
    const engine = await spawnEngine(
      {
        KEYHAVEN_DATA_DIR: join(dir, 'data'),
        KEYHAVEN_DEMO: 'false',
        KEYHAVEN_ADMIN_PASSWORD_FILE: file,
        KEYHAVEN_ACCOUNT_NAME: 'Platform team',
      },
      await freePort(),
    );
    try {
      const token = await tokenFor(engine.url, 'admin', 'a-long-first-password');
      const instances = await fetch(`${engine.url}/v2/kms/instances`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(instances.status).toBe(200);
      expect(JSON.stringify(await instances.json())).toContain('kp-main');
      expect(engine.output()).toContain('account and first administrator (admin) made');
      expect(engine.output()).not.toContain('a-long-first-password');
    } finally {
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  });

  it('refuses to start with a password under 12 characters, naming the setting', () => {
    const file = join(dir, 'short');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    const run = spawnSync(process.execPath, serviceArgs('engine'), {
      env: {
        ...process.env,
        KEYHAVEN_DATA_DIR: join(dir, 'other'),
        KEYHAVEN_DEMO: 'false',
        KEYHAVEN_ADMIN_PASSWORD_FILE: file,
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /KEYHAVEN_ADMIN_PASSWORD_FILE: the password in it must be at least 12 characters/,
    );
  });
});
