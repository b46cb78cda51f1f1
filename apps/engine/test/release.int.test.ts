import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnEngine } from './process.ts';

/** Issue 26: services run the release's bundles on a supported Node LTS, without tsx. */
const dir = mkdtempSync(join(tmpdir(), 'kh-release-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the running engine', () => {
  it('is the bundle on Node 24 or 26+ (LTS lines), with no TypeScript loader', async () => {
    const engine = await spawnEngine({ KEYHAVEN_DATA_DIR: join(dir, 'data') }, await freePort());
    try {
      const listening = engine
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; node?: string })
        .find((line) => line.msg === 'engine listening');
      const major = Number(/^v(\d+)\./.exec(listening?.node ?? '')?.[1]);
      expect(major).toBeGreaterThanOrEqual(24);
      expect(major % 2).toBe(0);
      expect(listening?.node).toBe(process.version);
      const commandLine = readFileSync(`/proc/${engine.child.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.slice(1, 3)).toEqual([
        '--enable-source-maps',
        expect.stringMatching(/\/dist\/engine\/main\.mjs$/),
      ]);
      expect(commandLine.join(' ')).not.toMatch(/tsx/);
    } finally {
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  });
});

describe('the release bundles', () => {
  it('map Keyhaven’s own code back to its TypeScript, and leave dependencies out', () => {
    const dist = resolve(import.meta.dirname, '../../../dist');
    for (const [bundle, text, source] of [
      ['engine/main.mjs', '"engine listening"', 'apps/engine/src/main.ts'],
      ['bff/main.mjs', '"bff listening"', 'apps/bff/src/main.ts'],
      ['kms-plugin/main.mjs', 'UNIX_SOCKET_PATH', 'apps/kms-plugin/src/'],
    ] as const) {
      const code = readFileSync(join(dist, bundle), 'utf8');
      const map = JSON.parse(readFileSync(join(dist, `${bundle}.map`), 'utf8')) as {
        sources: string[];
      };
      expect(map.sources.some((s) => s.includes('node_modules/'))).toBe(false);
      const at = code.indexOf(text);
      expect(at, `${text} in ${bundle}`).toBeGreaterThan(0);
      const lines = code.slice(0, at).split('\n');
      const entry = new SourceMap(map as never).findEntry(
        lines.length - 1,
        (lines.at(-1) ?? '').length,
      );
      expect('originalSource' in entry && entry.originalSource).toContain(source);
    }
  });
});
