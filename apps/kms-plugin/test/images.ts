import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** Set to 1 to skip the tests that run Keyhaven's images with podman, on purpose. */
export const SKIP_IMAGES = process.env.KEYHAVEN_SKIP_IMAGES === '1';

export interface Images {
  engine: string;
  kmsPlugin: string;
}

/**
 * The images of `npm run image` (dist/images.json, written when npm test built them); built here
 * when a single test file runs without them. Unchanged content is not built again.
 */
export function images(): Images {
  const file = join(root, 'dist/images.json');
  if (!existsSync(file))
    execFileSync('bash', [join(root, 'scripts/image.sh')], { cwd: root, stdio: 'ignore' });
  return JSON.parse(readFileSync(file, 'utf8')) as Images;
}

/**
 * podman as these machines run it: runc (crun refuses their hybrid cgroups), cgroupfs without
 * systemd, and explicit ulimits, from a containers.conf of the test's own.
 */
export function podman(dir: string) {
  const conf = join(dir, 'containers.conf');
  writeFileSync(
    conf,
    `[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`,
  );
  const env = { ...process.env, CONTAINERS_CONF: conf };
  return async (...args: string[]) =>
    (await run('podman', args, { env, maxBuffer: 1 << 24, timeout: 120_000 })).stdout.trim();
}
