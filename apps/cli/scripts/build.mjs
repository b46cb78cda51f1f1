/**
 * Bundles the CLI (its TypeScript, the shared contracts, commander, zod) into dist/keyhaven.mjs:
 * one file, so that a command starts in about the time Node itself takes.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle() {
  await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(root, 'dist/keyhaven.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // commander is CommonJS: give the bundle a require for its Node built-ins.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
