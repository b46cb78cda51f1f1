import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { defaultPkcs11Settings, Pkcs11KeyAdapter, SqliteStore } from '@keyhaven/engine';
import { initSoftHsmToken } from '../../../scripts/softhsm-token.ts';
import { clusterOverHttp, startEnablement, expectEverySecretOpens, waitForCluster } from './job.ts';
import { freePort, spawnEngine, tokenFor } from './process.ts';

const dir = mkdtempSync(join(tmpdir(), 'kh-hsm-fault-'));
const hsm = initSoftHsmToken(join(dir, 'hsm'), 'keyhaven-fault');
const wrongPinFile = join(dir, 'wrong-pin');
writeFileSync(wrongPinFile, 'not-the-pin-0\n', { mode: 0o600 });
const PASSWORD = 'hsm-fault-password';
const env = (pinFile: string) => ({
  ...hsm.env,
  KEYHAVEN_DATA_DIR: join(dir, 'engine'),
  KEYHAVEN_DEMO_PASSWORD: PASSWORD,
  KEYHAVEN_DEMO_SECRETS: '20000',
  KEYHAVEN_JOB_BATCH_SIZE: '100',
  KEYHAVEN_KEY_ADAPTER: 'pkcs11',
  KEYHAVEN_PKCS11_TOKEN_LABEL: hsm.label,
  KEYHAVEN_PKCS11_PIN_FILE: pinFile,
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('pauses an enablement of 20,000 secrets while the HSM refuses the PIN, says why, and completes once the token is back', async () => {
  const port = await freePort();
  const first = await spawnEngine(env(hsm.pinFile), port);
  const token = await tokenFor(first.url, 'admin', PASSWORD);
  const running = await startEnablement(first.url, token, 'cluster-root-key-1');
  first.child.kill('SIGTERM');
  await first.exited;
  expect(running.enablement?.progress.done).toBeLessThan(20_000);

  // Restarted with a wrong PIN: the engine runs, but the token is unavailable and everyone is told.
  const second = await spawnEngine(env(wrongPinFile), port, 'healthz');
  const ready = await fetch(`${second.url}/readyz`);
  expect(ready.status).toBe(503);
  const readiness = (await ready.json()) as { message: string };
  expect(JSON.stringify(readiness)).toMatch(/HSM login failed/);
  expect(JSON.stringify(readiness)).not.toContain('not-the-pin-0');
  const token2 = await tokenFor(second.url, 'admin', PASSWORD);
  const paused = await waitForCluster(second.url, token2, (c) =>
    c.masterStatus.includes('HSM login failed'),
  );
  expect(paused.masterHealth).not.toBe('normal');
  expect(paused.masterStatus).toMatch(/^KMS feature enablement in progress\. Paused: /);
  expect(paused.enablement?.state).toBe('retrying');
  const progressWhilePaused = paused.enablement?.progress.done;
  await new Promise((r) => setTimeout(r, 500));
  expect((await clusterOverHttp(second.url, token2)).enablement?.progress.done).toBe(
    progressWhilePaused,
  );
  // Key actions that need the token fail with a retryable error too, and nothing is half-made.
  const create = await fetch(`${second.url}/api/v2/keys`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token2}`,
      'bluemix-instance': 'kp-us-south',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
      resources: [
        { type: 'application/vnd.ibm.kms.key+json', name: 'made-while-down', extractable: false },
      ],
    }),
  });
  const created = (await create.json()) as { message: string };
  expect({ status: create.status, message: created.message }).toMatchObject({
    status: 503,
    message: expect.stringMatching(/HSM login failed/),
  });
  const keys = await fetch(`${second.url}/api/v2/keys`, {
    headers: { authorization: `Bearer ${token2}`, 'bluemix-instance': 'kp-us-south' },
  });
  expect(JSON.stringify(await keys.json())).not.toContain('made-while-down');
  expect(create.headers.get('retry-after')).toBeTruthy();
  expect(second.output()).not.toContain('not-the-pin-0');
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  // The right PIN again: the job resumes from its checkpoint and finishes.
  const third = await spawnEngine(env(hsm.pinFile), port);
  const token3 = await tokenFor(third.url, 'admin', PASSWORD);
  const done = await waitForCluster(third.url, token3, (c) => c.masterStatus === 'Ready', 100);
  expect(done.enablement).toMatchObject({
    jobId: running.enablement?.jobId,
    state: 'succeeded',
    progress: { done: 20_000, total: 20_000 },
  });
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);

  process.env.SOFTHSM2_CONF = hsm.conf;
  const store = new SqliteStore(join(dir, 'engine', 'keyhaven.sqlite'));
  const adapter = new Pkcs11KeyAdapter(
    { ...defaultPkcs11Settings, tokenLabel: hsm.label, pin: hsm.pin },
    pino({ level: 'silent' }),
  );
  await expectEverySecretOpens(store, adapter, 20_000);
});
