/**
 * `npm run build`: the release. Bundles each service (engine, BFF, KMS plug-in) and the CLI with
 * esbuild into dist/, with source maps, and builds the console into dist/web with Vite. A running
 * service is plain JavaScript on Node: no tsx, no TypeScript compiler. The native addons
 * (better-sqlite3, pkcs11js) stay outside the bundles and load from node_modules.
 *
 *   node scripts/build.mjs            services, CLI and console
 *   node scripts/build.mjs services   services and CLI only (what the integration tests start)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundle as bundleCli } from '../apps/cli/scripts/build.mjs';
import { slimSourceMap } from './source-maps.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each service's source entry and its bundle; a service runs as `node --enable-source-maps <bundle>`. */
export const SERVICES = {
  engine: { source: 'apps/engine/src/main.ts', bundle: 'dist/engine/main.mjs' },
  bff: { source: 'apps/bff/src/main.ts', bundle: 'dist/bff/main.mjs' },
  'kms-plugin': { source: 'apps/kms-plugin/src/main.ts', bundle: 'dist/kms-plugin/main.mjs' },
};

/** The packages that are native addons: kept out of the bundles, shipped with node_modules. */
const NATIVE = ['better-sqlite3', 'pkcs11js'];

/** The command line that runs a built service. */
export function serviceArgs(name) {
  return ['--enable-source-maps', join(root, SERVICES[name].bundle)];
}

export async function buildServices() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      ...Object.fromEntries(
        Object.values(SERVICES).map(({ source, bundle }) => [
          bundle.replace(/^dist\//, '').replace(/\.mjs$/, ''),
          source,
        ]),
      ),
      // The re-encryption job's worker threads load this file next to the engine's bundle.
      'engine/reseal-worker': 'packages/engine/src/crypto/reseal-worker.ts',
    },
    outdir: join(root, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: NATIVE,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies (express, grpc-js, pino) get a require for Node's built-ins, and
    // the __dirname that etcd3 reads its .proto files from (../proto, copied below).
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module';",
        "import { dirname as __dn } from 'node:path';",
        "import { fileURLToPath as __fp } from 'node:url';",
        'const require = __cr(import.meta.url);',
        'const __filename = __fp(import.meta.url);',
        'const __dirname = __dn(__filename);',
      ].join(' '),
    },
  });
  // Node parses a service's whole map at start: it keeps Keyhaven's own sources only.
  for (const { bundle } of Object.values(SERVICES)) slimSourceMap(join(root, `${bundle}.map`));
  slimSourceMap(join(root, 'dist/engine/reseal-worker.mjs.map'));
  // The gRPC service definitions (the plug-in's, etcd's), where the bundles look for them.
  const protos = join(root, 'dist/proto');
  mkdirSync(protos, { recursive: true });
  copyFileSync(join(root, 'apps/kms-plugin/proto/kms-v2.proto'), join(protos, 'kms-v2.proto'));
  for (const file of ['rpc.proto', 'kv.proto', 'auth.proto'])
    copyFileSync(join(root, 'node_modules/etcd3/proto', file), join(protos, file));
  await bundleCli();
}

export function buildConsole() {
  const vite = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (vite.status !== 0) throw new Error('The console build failed.');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildServices();
  if (process.argv[2] !== 'services') buildConsole();
  console.log(`> Built the release into dist/ in ${Math.round(performance.now() - started)} ms`);
}
