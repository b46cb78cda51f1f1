import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wrapForImport } from '@keyhaven/contracts/import-wrap';
import { expect } from 'vitest';
import type { TestEngine } from './helpers.ts';

/** Key material nobody could miss in a store file, a log line or an answer. */
export const MARKER = Buffer.from('KEYHAVEN-IMPORT-MARKER-0123456789'.slice(0, 32));

/** The marker's spellings a leak would take: raw, base64, hex. */
export const markerSpellings = (material = MARKER) => [
  material.toString('latin1'),
  material.toString('base64'),
  material.toString('hex'),
];

/** Imports `material` as a root key of `instance` through a fresh import token. */
export async function importThroughToken(
  t: TestEngine,
  instance: string,
  name: string,
  material = MARKER,
) {
  await t.engine.importTokens.create(t.admin, instance, {});
  const token = await t.engine.importTokens.retrieve(t.admin, instance);
  return importWith(t, instance, name, wrapForImport(material, token));
}

export function importWith(
  t: TestEngine,
  instance: string,
  name: string,
  wrapped: ReturnType<typeof wrapForImport>,
) {
  return t.engine.keys.create(t.admin, instance, { name }, (inst, keyId) =>
    t.engine.importTokens.importVersion(t.admin, inst, keyId, wrapped),
  );
}

/** Every file of the engine's directory (store, WAL, key files) holds no spelling of the marker. */
export function expectMarkerNowhereIn(dir: string, extra: string[] = []) {
  const texts = [
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1')),
    ...extra,
  ];
  for (const spelling of markerSpellings())
    for (const text of texts) expect(text.includes(spelling)).toBe(false);
}
