import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { encryptionConfiguration } from '@keyhaven/engine';
import { freePort } from '../../engine/test/process.ts';

const root = resolve(import.meta.dirname, '../../..');

/** Set to 1 to skip the tests that need a real kube-apiserver (and so Go) on purpose. */
export const SKIP_KUBE = process.env.KEYHAVEN_SKIP_KUBE === '1';

let binaries: Promise<string> | undefined;
/**
 * The folder holding kube-apiserver, etcd and kms-client: KEYHAVEN_KUBE_BIN when npm test built
 * them already, else scripts/kube-apiserver.sh builds them (once) or finds them in its cache.
 */
export function kubeBinaries(): Promise<string> {
  binaries ??= process.env.KEYHAVEN_KUBE_BIN
    ? Promise.resolve(process.env.KEYHAVEN_KUBE_BIN)
    : promisify(execFile)('bash', [join(root, 'scripts/kube-apiserver.sh')], {
        maxBuffer: 1 << 24,
      }).then(({ stdout }) => stdout.trim());
  return binaries;
}

export interface Kube {
  /** A request to the API server as a cluster administrator; the body is JSON. */
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; body: unknown }>;
  /** How the API server reaches etcd (TLS with a client certificate), as Keyhaven may too. */
  etcd: {
    endpoints: string[];
    caCertificate: string;
    clientCertificate: string;
    clientKey: string;
  };
  /** The API server's URL, the certificate it serves (self-signed) and the admin's token. */
  server: string;
  caCertificate(): string;
  adminToken: string;
  /** The bytes etcd holds under a key (the API server's storage, e.g. /registry/secrets/ns/n). */
  etcdGet(key: string): Promise<Buffer | undefined>;
  /** Every key and value etcd holds under a prefix. */
  etcdRange(prefix: string): Promise<Map<string, Buffer>>;
  /** Compacts etcd's history up to now, as the API server does every 5 minutes; the revision. */
  etcdCompact(): Promise<number>;
  /**
   * Stops the API server and starts it again, with a new EncryptionConfiguration if given, and
   * extra flags for this run of it only; it waits for `/readyz`, or for what `up` names (such as
   * `/livez`, for an API server whose KMS provider is expected to be down).
   */
  restart(encryption?: string, extraArgs?: string[], up?: string): Promise<void>;
  output(): string;
  /**
   * Starts another API server on the same etcd (a highly available control plane), with its own
   * port, certificate and EncryptionConfiguration; it is stopped with the first.
   */
  addApiServer(encryption: string): Promise<ApiServer>;
  /** SIGKILLs the first API server, and starts it again (as configured last) to /readyz. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGKILLs etcd (its data stays), and starts it again to healthy. */
  killEtcd(): Promise<void>;
  startEtcd(): Promise<void>;
  /** The folder holding every process's whole log (etcd.log, kube-apiserver-N.log). */
  logDir: string;
  stop(): Promise<void>;
}

/** A second API server of the same cluster. */
export interface ApiServer {
  server: string;
  request: Kube['request'];
  /** SIGKILL: gone at once, as a crashed control-plane node. */
  kill(): Promise<void>;
  /** Starts it again (after kill) and waits for /readyz. */
  start(): Promise<void>;
}

async function waitFor(
  what: string,
  child: ChildProcess,
  out: () => string,
  ok: () => Promise<boolean>,
) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited early:\n${out().slice(-4000)}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready:\n${out().slice(-4000)}`);
}

/** A process whose output is kept (its tail) and appended whole to logFile. */
function spawnLogged(command: string, args: string[], logFile: string) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + String(d)).slice(-200_000);
    log.write(d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => log.end());
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, output: () => out, exited };
}

/** A small CA, etcd's serving certificate for 127.0.0.1 and a client certificate, by openssl. */
function etcdCertificates(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-subj',
    '/CN=etcd-ca',
    '-days',
    '2',
  );
  for (const [name, usage] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), `${usage}\n`);
    openssl(
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
  }
  const read = (name: string) => readFileSync(file(name), 'utf8');
  return {
    files: {
      ca: file('ca.crt'),
      serverCert: file('server.crt'),
      serverKey: file('server.key'),
      clientCert: file('client.crt'),
      clientKey: file('client.key'),
    },
    ca: read('ca.crt'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
  };
}

/** A JSON call over HTTPS with the given agent (etcd's gRPC gateway). */
function httpsJson(url: string, agent: https.Agent, body?: unknown): Promise<unknown> {
  return new Promise((resolveCall, reject) => {
    const req = https.request(
      url,
      { method: body === undefined ? 'GET' : 'POST', agent },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => {
          try {
            resolveCall(JSON.parse(text));
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Secrets stored as they are: what a cluster has before KMS is enabled. */
export const identityConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - identity: {}
`;

/** An EncryptionConfiguration for Secrets: the KMS v2 plug-in first, identity after it. */
export const encryptionConfig = (socketPath: string) => encryptionConfiguration(socketPath);

/**
 * A real etcd and kube-apiserver on loopback with the smallest flags that work: certificates the
 * API server makes itself, a service-account key, one static admin token (system:masters), RBAC,
 * and the given encryption configuration.
 */
export async function startKube(dir: string, encryption: string): Promise<Kube> {
  const bin = await kubeBinaries();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `https://127.0.0.1:${clientPort}`;
  const tls = etcdCertificates(join(dir, 'etcd-pki'));
  const etcdAgent = new https.Agent({ ca: tls.ca, cert: tls.clientCert, key: tls.clientKey });
  const etcdCall = (path: string, body?: unknown) =>
    httpsJson(`${etcdUrl}${path}`, etcdAgent, body) as Promise<Record<string, unknown>>;
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const etcdArgs = [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--cert-file=${tls.files.serverCert}`,
    `--key-file=${tls.files.serverKey}`,
    `--trusted-ca-file=${tls.files.ca}`,
    '--client-cert-auth',
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
    '--log-level=warn',
  ];
  const startEtcd = async () => {
    const started = spawnLogged(join(bin, 'etcd'), etcdArgs, join(logs, 'etcd.log'));
    await waitFor(
      'etcd',
      started.child,
      started.output,
      async () => (await etcdCall('/health')).health === 'true',
    );
    return started;
  };
  let etcd = await startEtcd();

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, {
    mode: 0o600,
  });
  writeFileSync(join(dir, 'encryption.yaml'), encryption, { mode: 0o600 });
  const argsFor = (port: number, name: string) => [
    `--etcd-servers=${etcdUrl}`,
    `--etcd-cafile=${tls.files.ca}`,
    `--etcd-certfile=${tls.files.clientCert}`,
    `--etcd-keyfile=${tls.files.clientKey}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // The reconciler refuses a loopback address; nothing here needs the kubernetes Service's endpoints.
    '--endpoint-reconciler-type=none',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, `certs${name}`)}`,
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.96.0.0/24',
    `--encryption-provider-config=${join(dir, `encryption${name}.yaml`)}`,
  ];
  const args = argsFor(apiPort, '');
  const apiLog = join(logs, 'kube-apiserver-1.log');
  let api = spawnLogged(join(bin, 'kube-apiserver'), args, apiLog);
  const extra: ReturnType<typeof spawnLogged>[] = [];

  /** Requests to the API server on `port`, trusting the certificate it made in `certDir`. */
  const requestTo =
    (port: number, certDir: string): Kube['request'] =>
    (method, path, body) =>
      new Promise((resolveRequest, reject) => {
        const ca = readFileSync(join(dir, certDir, 'apiserver.crt'));
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request(
          `https://127.0.0.1:${port}${path}`,
          {
            method,
            ca,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(payload && { 'content-type': 'application/json' }),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += String(d)));
            res.on('end', () => {
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // readyz and the like answer text
              }
              resolveRequest({ status: res.statusCode ?? 0, text, body: parsed });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
  const request = requestTo(apiPort, 'certs');
  const ready = async () => (await request('GET', '/readyz')).status === 200;
  await waitFor('kube-apiserver', api.child, api.output, ready);

  const etcdRange = async (key: string, rangeEnd?: string) => {
    const { kvs } = (await etcdCall('/v3/kv/range', {
      key: Buffer.from(key).toString('base64'),
      ...(rangeEnd && { range_end: Buffer.from(rangeEnd).toString('base64') }),
    })) as { kvs?: { key: string; value: string }[] };
    return kvs ?? [];
  };
  return {
    request,
    etcd: {
      endpoints: [etcdUrl],
      caCertificate: tls.ca,
      clientCertificate: tls.clientCert,
      clientKey: tls.clientKey,
    },
    server: `https://127.0.0.1:${apiPort}`,
    caCertificate: () => readFileSync(join(dir, 'certs', 'apiserver.crt'), 'utf8'),
    adminToken: token,
    async etcdRange(prefix) {
      const end =
        prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      const kvs = await etcdRange(prefix, end);
      return new Map(
        kvs.map((kv) => [
          Buffer.from(kv.key, 'base64').toString(),
          Buffer.from(kv.value, 'base64'),
        ]),
      );
    },
    async etcdCompact() {
      const { header } = (await etcdCall('/v3/kv/range', {
        key: Buffer.from('/').toString('base64'),
      })) as { header: { revision: string } };
      await etcdCall('/v3/kv/compaction', { revision: header.revision, physical: true });
      return Number(header.revision);
    },
    async etcdGet(key) {
      const [kv] = await etcdRange(key);
      return kv && Buffer.from(kv.value, 'base64');
    },
    async restart(encryption, extraArgs = [], up = '/readyz') {
      if (encryption) writeFileSync(join(dir, 'encryption.yaml'), encryption, { mode: 0o600 });
      api.child.kill('SIGTERM');
      await api.exited;
      api = spawnLogged(join(bin, 'kube-apiserver'), [...args, ...extraArgs], apiLog);
      await waitFor(
        'kube-apiserver',
        api.child,
        api.output,
        async () => (await request('GET', up)).status === 200,
      );
    },
    output: () => api.output(),
    async kill() {
      api.child.kill('SIGKILL');
      await api.exited;
    },
    async start() {
      api = spawnLogged(join(bin, 'kube-apiserver'), args, apiLog);
      await waitFor('kube-apiserver', api.child, api.output, ready);
    },
    async killEtcd() {
      etcd.child.kill('SIGKILL');
      await etcd.exited;
    },
    async startEtcd() {
      etcd = await startEtcd();
    },
    logDir: logs,
    async addApiServer(secondEncryption) {
      const name = `-${extra.length + 2}`;
      const port = await freePort();
      writeFileSync(join(dir, `encryption${name}.yaml`), secondEncryption, { mode: 0o600 });
      const requestSecond = requestTo(port, `certs${name}`);
      const up = async () => (await requestSecond('GET', '/readyz')).status === 200;
      let second: ReturnType<typeof spawnLogged> | undefined;
      const start = async () => {
        second = spawnLogged(
          join(bin, 'kube-apiserver'),
          argsFor(port, name),
          join(logs, `kube-apiserver${name}.log`),
        );
        extra.push(second);
        await waitFor(`kube-apiserver${name}`, second.child, second.output, up);
      };
      await start();
      return {
        server: `https://127.0.0.1:${port}`,
        request: requestSecond,
        async kill() {
          second?.child.kill('SIGKILL');
          await second?.exited;
        },
        start,
      };
    },
    async stop() {
      for (const other of extra) {
        other.child.kill('SIGTERM');
        await other.exited;
      }
      api.child.kill('SIGTERM');
      await api.exited;
      etcd.child.kill('SIGTERM');
      await etcd.exited;
    },
  };
}

/** The answer's body when the API server accepted the call; throws with its words otherwise. */
export async function kubeOk(kube: Kube, method: string, path: string, body?: unknown) {
  const answer = await kube.request(method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return answer.body as Record<string, unknown>;
}

/**
 * A service account in "default" with the given verbs on Secrets in every namespace (none: no
 * binding at all), and a token for it from the TokenRequest API.
 */
export async function serviceAccountToken(
  kube: Kube,
  name: string,
  verbs: string[],
): Promise<string> {
  await kubeOk(kube, 'POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name } });
  if (verbs.length > 0) {
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await kubeOk(kube, 'POST', `${rbac}/clusterroles`, {
      metadata: { name },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs }],
    });
    await kubeOk(kube, 'POST', `${rbac}/clusterrolebindings`, {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }],
    });
  }
  const token = await kubeOk(
    kube,
    'POST',
    `/api/v1/namespaces/default/serviceaccounts/${name}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 7200 },
    },
  );
  return (token.status as { token: string }).token;
}
