import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { EngineError } from './errors.ts';

/** scrypt at N=2^15: roughly 50-100 ms per hash on this class of machine, on the libuv pool. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } satisfies ScryptOptions;

/**
 * Password hashes run two at a time (libuv has four threads, and store and crypto work needs the
 * rest), with at most 64 waiting: a flood of logins queues or is refused, the engine keeps serving.
 */
const HASHING = { running: 0, limit: 2, waiting: [] as (() => void)[], maxWaiting: 64 };

async function hashingSlot(): Promise<() => void> {
  if (HASHING.running >= HASHING.limit) {
    if (HASHING.waiting.length >= HASHING.maxWaiting)
      throw new EngineError(
        503,
        'BUSY',
        'Too many logins at once; try again in a moment.',
        undefined,
        1,
      );
    await new Promise<void>((resolve) => HASHING.waiting.push(resolve));
  }
  HASHING.running += 1;
  return () => {
    HASHING.running -= 1;
    HASHING.waiting.shift()?.();
  };
}

async function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  const release = await hashingSlot();
  try {
    return await new Promise((resolve, reject) =>
      scryptCb(password, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    release();
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, , salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64'));
  const expected = Buffer.from(hash, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
