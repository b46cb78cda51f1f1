#!/usr/bin/env node
// Runs the bundled CLI, bundling it first when it is missing or older than its sources (a fresh
// clone, or a change in the repository): a few stat calls on every start, no build step to forget.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// V8 keeps the bundle's compiled code in the user's own cache: later starts skip compiling it.
try {
  module.enableCompileCache?.(join(homedir(), '.cache', 'keyhaven', 'compile-cache'));
} catch {
  // no writable home: compile as usual
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = join(root, 'dist/keyhaven.mjs');

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of [join(root, 'src'), join(root, '../../packages/contracts/src')])
    try {
      walk(dir);
    } catch {
      // an installed copy without sources runs the bundle it came with
    }
  return newest;
}

let built = 0;
try {
  built = statSync(bundlePath).mtimeMs;
} catch {
  // not built yet
}
if (built === 0 || built < newestSource()) {
  const { bundle } = await import('../scripts/build.mjs');
  await bundle();
}
await import(pathToFileURL(bundlePath).href);
