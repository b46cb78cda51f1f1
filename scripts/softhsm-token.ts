// `npm run hsm:init [-- <dir>]`: initializes a SoftHSM2 token for Keyhaven in its own directory
// (default data/hsm): a softhsm2.conf, the token files, and a random user PIN in a 0600 file.
// `npm start -- --hsm` then runs the engine with the pkcs11 key adapter on that token.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface SoftHsmToken {
  /** The SOFTHSM2_CONF file that points at this token's own directory. */
  conf: string;
  tokenDir: string;
  label: string;
  pin: string;
  pinFile: string;
  /** Environment for a process (engine, pkcs11-tool) that uses this token. */
  env: { SOFTHSM2_CONF: string };
}

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** Initializes a fresh token in dir; it is an error if dir already holds one. */
export function initSoftHsmToken(dir: string, label = 'keyhaven'): SoftHsmToken {
  const root = resolve(dir);
  const tokenDir = join(root, 'tokens');
  const conf = join(root, 'softhsm2.conf');
  const pinFile = join(root, 'user-pin');
  if (existsSync(conf)) throw new Error(`${root} already holds a SoftHSM token configuration`);
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    conf,
    `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const pin = randomBytes(9).toString('base64url');
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  const env = { SOFTHSM2_CONF: conf };
  execFileSync(
    'softhsm2-util',
    [
      '--init-token',
      '--free',
      '--label',
      label,
      '--so-pin',
      randomBytes(9).toString('base64url'),
      '--pin',
      pin,
    ],
    { env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  return { conf, tokenDir, label, pin, pinFile, env };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'data/hsm';
  if (!existsSync(SOFTHSM_MODULE)) {
    process.stderr.write(
      `SoftHSM2 is not installed (${SOFTHSM_MODULE}): apt-get install softhsm2\n`,
    );
    process.exit(1);
  }
  try {
    const token = initSoftHsmToken(dir);
    process.stdout.write(
      `SoftHSM2 token "${token.label}" initialized in ${resolve(dir)}\n` +
        `  SOFTHSM2_CONF=${token.conf}\n  KEYHAVEN_PKCS11_TOKEN_LABEL=${token.label}\n` +
        `  KEYHAVEN_PKCS11_PIN_FILE=${token.pinFile}\n` +
        `Start the console on it with: npm start -- --hsm\n`,
    );
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
