// Runs Keyhaven's services as child processes for `npm start` and `npm run cluster:local`: JSON log
// lines go to <logDir>/<name>.log (warnings and errors also to the terminal), other output to the
// terminal; if one service dies the others are stopped; Ctrl-C stops them all (SIGKILL after 5 s).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Every file the launcher and its services create (data dir, logs, SQLite) is 0600/0700.
process.umask(0o077);

/** Runs a setup step in the foreground; exits when it fails. */
export function step(root, env, title, command, args) {
  console.log(`> ${title}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${title} failed.`);
    process.exit(result.status ?? 1);
  }
}

/** npm ci when node_modules is missing, then the release build (services, CLI, console). */
export function prepare(root, env) {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    // Native addons (better-sqlite3, pkcs11js) compile here instead of fetching prebuilt binaries.
    step(
      root,
      { ...env, npm_config_build_from_source: 'true' },
      'Installing dependencies (npm ci)',
      'npm',
      ['ci', '--no-audit', '--no-fund'],
    );
    writeFileSync(join(root, 'node_modules/.keyhaven-node-abi'), `${process.versions.modules}\n`);
  }
  step(root, env, 'Building the release (npm run build)', process.execPath, [
    join(root, 'scripts/build.mjs'),
  ]);
}

export function createSupervisor({ root, env, logDir, onStop }) {
  // The data directory holds the store and keys: it and its logs are for this user only.
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const children = new Set();
  let stopping = false;

  function stop(code) {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
    }, 5000);
    const done = async () => {
      if (children.size > 0) return;
      clearTimeout(force);
      await onStop?.();
      process.exit(code);
    };
    for (const child of children) child.on('exit', () => void done());
    void done();
  }

  /**
   * Starts a built service (a bundle of `npm run build`) under its name. One that stops unexpectedly
   * is started again (after 1 s, then up to 30 s between tries), and the others keep running: the
   * console stays up and says that the engine is down, instead of going down with it.
   */
  function service(name, entry, extraEnv = {}, failures = 0) {
    const startedAt = Date.now();
    const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, entry)], {
      cwd: root,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.startsWith('{')) {
          log.write(line + '\n');
          if (/"level":(40|50|60)/.test(line)) console.error(`[${name}] ${line}`);
        } else if (line.trim()) console.log(line);
      });
    }
    child.on('exit', (code, signal) => {
      children.delete(child);
      log.end();
      if (stopping) return;
      // A service that ran for a minute starts again from the shortest delay.
      const tries = Date.now() - startedAt > 60_000 ? 0 : failures;
      const delay = Math.min(30_000, 1000 * 2 ** tries);
      console.error(
        `The ${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); starting it again in ${delay / 1000} s. See ${join(logDir, `${name}.log`)}.`,
      );
      setTimeout(() => {
        if (!stopping) service(name, entry, extraEnv, tries + 1);
      }, delay);
    });
    return child;
  }

  /** Whether the URL answers 200; over HTTPS, trusting the CA in caFile. */
  const answers = (url, caFile) =>
    new Promise((resolve) => {
      const get = url.startsWith('https:') ? httpsGet : httpGet;
      const req = get(url, caFile ? { ca: readFileSync(caFile) } : {}, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.setTimeout(2000, () => req.destroy());
      req.on('error', () => resolve(false));
    });

  async function waitFor(url, what, caFile) {
    for (let i = 0; i < 600; i++) {
      if (stopping) return;
      if (await answers(url, caFile)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.error(`${what} did not become ready at ${url}.`);
    stop(1);
  }

  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  return { service, waitFor, stop, stopping: () => stopping };
}
