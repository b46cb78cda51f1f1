/**
 * Fuzzes both APIs with Schemathesis (an independent tool, from PyPI, pinned, in .venv): the
 * engine and the BFF on a fresh demo, each as admin and as viewer, with the checks for server
 * errors, response-schema conformance and status-code conformance. Exits non-zero on any failure.
 *   node --import tsx scripts/fuzz.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, spawnBff, spawnEngine, tokenFor } from '../apps/engine/test/process.ts';

const SCHEMATHESIS = '4.32.5';
const root = resolve(import.meta.dirname, '..');
const venv = join(root, '.venv');
const st = join(venv, 'bin', 'st');
const PASSWORD = 'fuzz-demo-password';
/** At most this many operations of a document may answer only 404 in the administrator's run. */
const MAX_ONLY_404 = 3;
/** Answers given before any resource is looked at: bad input, no credentials, nothing there. */
const REFUSED_EARLY = new Set([401, 404, 413, 415, 422]);

function ensureSchemathesis() {
  const version = existsSync(st) ? spawnSync(st, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (version.includes(SCHEMATHESIS)) return;
  console.log(`Installing schemathesis ${SCHEMATHESIS} into .venv (PyPI)`);
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS}`]],
  ];
  for (const [command, args] of steps) {
    const done = spawnSync(command, args, { stdio: 'inherit' });
    if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  }
}

/** A session cookie and its CSRF token from the BFF. */
async function bffSession(bffUrl: string, username: string) {
  const res = await fetch(`${bffUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login as ${username} answered ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { session: cookie.slice(cookie.indexOf('=') + 1), csrf: csrfToken };
}

/**
 * The credentials as Schemathesis's OpenAPI-aware auth (named after the documents' security
 * schemes), not as fixed headers: so it knows them for what they are, leaves them out on purpose
 * to check that a request without them is refused, and never reads a forced header as accepted
 * invalid data.
 */
function authConfig(file: string, schemes: Record<string, Record<string, string>>): string {
  const toml = [
    CHECKS_CONFIG,
    STATEFUL,
    READABLE_AFTER_DELETE,
    ...Object.entries(schemes).map(
      ([name, values]) =>
        `[auth.openapi.${name}]\n${Object.entries(values)
          .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          .join('\n')}\n`,
    ),
  ].join('\n');
  writeFileSync(file, toml, { mode: 0o600 });
  return file;
}

/** Every check Schemathesis has that holds for these APIs (see README, Fuzzing). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'use_after_free',
  'ensure_resource_availability',
  'ignored_auth',
];

/**
 * The checks, named in the configuration rather than with --checks: a check named on the command
 * line wins over an operation's own `enabled = false` (READABLE_AFTER_DELETE would be ignored).
 */
const CHECKS_CONFIG = [
  '[checks]\nenabled = false\n',
  ...CHECKS.map((name) => `[checks.${name}]\nenabled = true\n`),
].join('\n');

/** Longer stateful scenarios, so that links to a resource's deeper operations are followed. */
const STATEFUL = '[phases.stateful]\nmax-steps = 30\n';

/**
 * A deleted root key stays readable, in state Destroyed, with its versions, registrations and
 * activity, as Key Protect keeps them: that record is the proof that its data was shredded. So a
 * successful read of it after DELETE is not a use after free; every other check still applies.
 */
const READABLE_AFTER_DELETE = `[[operations]]
include-operation-id = ${JSON.stringify([
  'getKey',
  'listKeyVersions',
  'listKeyRegistrations',
  'listKeyActivity',
  'listRootKeyActivity',
])}
checks.use_after_free.enabled = false
`;

interface Target {
  name: string;
  /** Where Schemathesis writes every request and answer (HAR), to count what each reached. */
  har: string;
  schema: string;
  base: string;
  /** A schemathesis.toml with the run's credentials (0600, in the run's own folder). */
  config: string;
  /**
   * Operations left out: those that would end the run's own session (logout, token revocation),
   * and the status streams, which never end, so each case would wait out the request timeout
   * (the attack suite covers them, HEAD included).
   */
  exclude: string[];
}

interface OpenApiPaths {
  paths: Record<string, Record<string, { operationId: string }>>;
}

interface Har {
  log: {
    entries: {
      request: { method: string; url: string };
      response: { status: number; content?: { text?: string } };
    }[];
  };
}

/**
 * Whether an answer came before any resource was looked at: no credentials, nothing at that
 * path, or input the contract refused (a 400 INVALID_REQUEST). A 400 of the engine's own, such
 * as INVALID_CIPHERTEXT or CLUSTER_ADDRESS_DENIED, means the request got to work.
 */
function refusedEarly(status: number, body: string | undefined): boolean {
  if (status !== 400) return REFUSED_EARLY.has(status);
  return !body || /"code":\s*"INVALID_REQUEST"/.test(body);
}

/**
 * What each operation of the document answered in the run, from Schemathesis's HAR: the
 * operations that only ever answered 404 never reached a real resource, so a fuzzer learned
 * nothing of them (issue 25 asks for links and examples until at most 3 are left).
 */
function reach(target: Target, doc: OpenApiPaths): { reached: string[]; only404: string[] } {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      id: op.operationId,
      method: method.toUpperCase(),
      // Literal segments win over a parameter ("/v2/clusters/watch" is not a cluster id).
      literal: !path.includes('{'),
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })),
  );
  operations.sort((a, b) => Number(b.literal) - Number(a.literal));
  const real = new Set<string>();
  const har = JSON.parse(readFileSync(target.har, 'utf8')) as Har;
  for (const { request, response } of har.log.entries) {
    const path = new URL(request.url).pathname;
    const op = operations.find((o) => o.method === request.method && o.pattern.test(path));
    if (op && !refusedEarly(response.status, response.content?.text)) real.add(op.id);
  }
  const tested = operations.filter((o) => !target.exclude.includes(o.id)).map((o) => o.id);
  return {
    reached: tested.filter((id) => real.has(id)),
    only404: tested.filter((id) => !real.has(id)),
  };
}

function fuzz(target: Target): boolean {
  const args = [
    '--config-file',
    target.config,
    'run',
    target.schema,
    '--url',
    target.base,
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--report',
    'har',
    '--report-har-path',
    target.har,
    '--max-examples',
    '25',
    '--seed',
    '20261130',
    '--generation-database',
    'none',
    '--workers',
    '1',
    '--no-color',
    ...target.exclude.flatMap((id) => ['--exclude-operation-id', id]),
  ];
  console.log(`\n--- Schemathesis: ${target.name}`);
  const run = spawnSync(st, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const out = run.stdout + run.stderr;
  if (run.status !== 0) {
    console.log(out);
    return false;
  }
  // One line of figures and the warnings; Schemathesis's pytest-style footer line would read as a
  // test summary of its own to whatever reads this log.
  const cases = /Test cases:\s*\n\s*(.+)/.exec(out)?.[1] ?? 'no case count printed';
  const tested = /Tested:\s*(\d+)/.exec(out)?.[1] ?? '?';
  console.log(`${tested} operations, test cases: ${cases}`);
  for (const line of out.split('\n')) if (line.includes('⚠️')) console.log(line.trim());
  return true;
}

ensureSchemathesis();
const dir = mkdtempSync(join(tmpdir(), 'keyhaven-fuzz-'));
const engine = await spawnEngine(
  {
    KEYHAVEN_DATA_DIR: join(dir, 'data'),
    KEYHAVEN_DEMO_PASSWORD: PASSWORD,
    KEYHAVEN_DEMO_SECRETS: '40',
    // Connect cluster reaches out to the URL it is given: here, to no address at all.
    KEYHAVEN_CLUSTER_DENY: '0.0.0.0/0,::/0',
    KEYHAVEN_LOG_LEVEL: 'error',
  },
  await freePort(),
);
const { bff, bffUrl } = await spawnBff(engine.url, join(dir, 'data'), {
  KEYHAVEN_LOG_LEVEL: 'error',
});
let passed = false;
try {
  const targets: Target[] = [];
  for (const user of ['admin', 'viewer']) {
    targets.push({
      name: `engine as ${user}`,
      har: join(dir, `engine-${user}.har`),
      schema: `${engine.url}/openapi.json`,
      base: engine.url,
      config: authConfig(join(dir, `engine-${user}.toml`), {
        bearer: { bearer: await tokenFor(engine.url, user, PASSWORD) },
      }),
      exclude: ['revokeToken', 'watchCluster', 'watchClusters'],
    });
    targets.push({
      name: `console API as ${user}`,
      har: join(dir, `bff-${user}.har`),
      schema: `${bffUrl}/api/openapi.json`,
      base: bffUrl,
      config: await bffSession(bffUrl, user).then(({ session, csrf }) =>
        authConfig(join(dir, `bff-${user}.toml`), {
          session: { api_key: session },
          csrf: { api_key: csrf },
        }),
      ),
      exclude: ['logout', 'streamClusterStatus', 'streamClustersStatus'],
    });
  }
  const results: (readonly [string, boolean])[] = [];
  // FUZZ_ONLY="engine as admin" runs one target (while working on it).
  const only = process.env.FUZZ_ONLY;
  const chosen = targets.filter((t) => !only || t.name === only);
  // Read before the runs: an idle keep-alive connection may be closed by then.
  const docs = await Promise.all(
    chosen.map(async (t) => (await (await fetch(t.schema)).json()) as OpenApiPaths),
  );
  for (const [i, target] of chosen.entries()) {
    const doc = docs[i] ?? { paths: {} };
    const ok = fuzz(target);
    if (engine.child.exitCode !== null) throw new Error(`the engine died:\n${engine.output()}`);
    const { reached, only404 } = reach(target, doc);
    console.log(
      `${reached.length} of ${reached.length + only404.length} operations reached a real resource (answered other than 404 or a refusal of the input)` +
        (only404.length ? `; only 404: ${only404.join(', ')}` : ''),
    );
    // A viewer may see nothing to act on; the limit holds for the administrator's run.
    const deep = target.name.includes('viewer') || only404.length <= MAX_ONLY_404;
    if (!deep) console.log(`more than ${MAX_ONLY_404} operations never got past 404`);
    results.push([target.name, ok && deep]);
  }
  for (const [name, ok] of results) console.log(`${ok ? 'passed' : 'FAILED'}: ${name}`);
  passed = results.every(([, ok]) => ok);
} finally {
  bff.kill('SIGTERM');
  engine.child.kill('SIGTERM');
  await engine.exited;
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = passed ? 0 : 1;
