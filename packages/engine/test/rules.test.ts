import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { StoreKey } from '../src/index.ts';
import { PROD, enableAndWait, keyId, makeEngine } from './helpers.ts';
import { rulesSuite } from './rules-suite.ts';

rulesSuite('SQLite + software adapter');

describe('R14: secret values and key material never reach the logs; health and readiness exist', () => {
  it('logs no secret value, DEK seed or key material while enabling, writing and reading', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await makeEngine({ logStream: sink });
    try {
      const marker = 'MARKER-7f3a9c-do-not-log';
      await t.engine.secrets.write(
        t.admin,
        PROD,
        {
          namespace: 'default',
          name: 'marked',
          type: 'Opaque',
          data: { v: Buffer.from(marker).toString('base64') },
        },
        'create',
      );
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      await t.engine.keyLifecycle.setEnabled(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
        false,
      );
      await t.engine.secrets.get(t.admin, PROD, 'default', 'marked').catch(() => undefined);
      await t.engine.keyLifecycle.setEnabled(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
        true,
      );
      const read = await t.engine.secrets.get(t.admin, PROD, 'default', 'marked');
      expect(Buffer.from(read.data.v ?? '', 'base64').toString()).toBe(marker);
      const all = lines.join('');
      expect(all).not.toContain(marker);
      expect(all).not.toContain(Buffer.from(marker).toString('base64'));
      const seed = await t.engine.ctx.store.get(
        StoreKey.seed(
          PROD,
          (await t.engine.keys.record(keyId(t, 'cluster-root-key-1'))).versions[0]?.id ?? '',
        ),
      );
      expect(all).not.toContain(seed?.value.toString('base64'));
      const ready = await t.engine.ready();
      expect(ready).toEqual({ store: 'ok', adapters: { software: 'ok' } });
    } finally {
      await t.close();
    }
  });
});
