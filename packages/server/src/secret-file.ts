import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A secret kept in its own file: read it, or (with `make`) create it once, 0600 in a 0700 folder
 * from the first byte. Several processes starting together agree on the first one written.
 */
export function secretFile(file: string, make?: () => string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    if (!make) return undefined;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, make(), { mode: 0o600, flag: 'wx' });
  } catch {
    // another process made it first
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** 32 random bytes, base64url: a key or a password nobody chose. */
export const randomSecret = () => randomBytes(32).toString('base64url');
