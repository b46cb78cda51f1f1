/** Just the login-load figure: `node --import tsx apps/bff/bench/login-only.ts`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bffSessionCookie, spawnConsole } from '../../engine/test/process.ts';
import { loginLoad } from './login-load.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyhaven-login-bench-'));
const { engine, bff, bffUrl } = await spawnConsole(dir, 'login-bench-password');
try {
  await loginLoad(bffUrl, await bffSessionCookie(bffUrl, 'admin', 'login-bench-password'));
} finally {
  bff.kill('SIGTERM');
  engine.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
