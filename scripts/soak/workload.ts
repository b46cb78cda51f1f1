// The soak's traffic: writers that create and update Secrets at a steady rate (through each API
// server of the connected cluster, and through the engine for the demo clusters), and a checker
// that reads acknowledged Secrets back while the faults go on.
import type { Ledger, ReadBack, WriteOutcome } from './ledger.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Answer {
  status: number;
  body: unknown;
}
export type Call = (method: string, path: string, body?: unknown) => Promise<Answer>;

/** Where one writer's Secrets live and how they are written and read. */
export interface SecretSource {
  /** The ledger's key of a Secret: the source's name and the Secret's name. */
  name: string;
  write(secret: string, value: string): Promise<WriteOutcome>;
  read(secret: string): Promise<ReadBack | undefined>;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();
/** No answer within 20 s: the write's fate is unknown, the ledger keeps it pending. */
const timed = <T>(p: Promise<T>) =>
  Promise.race([
    p,
    sleep(20_000).then(() => {
      throw new Error('no answer');
    }),
  ]);

/** Secrets in the connected cluster's namespace "default", through one API server. */
export function kubeSource(name: string, call: Call): SecretSource {
  const path = (secret: string) => `/api/v1/namespaces/default/secrets/${secret}`;
  return {
    name,
    async write(secret, value) {
      const object = { metadata: { name: secret }, data: { v: b64(value) } };
      let answer = await timed(call('PUT', path(secret), object));
      if (answer.status === 404)
        answer = await timed(call('POST', '/api/v1/namespaces/default/secrets', object));
      return answer.status < 300 ? 'acked' : 'failed';
    },
    async read(secret) {
      const answer = await timed(call('GET', path(secret)));
      if (answer.status === 404) return { found: false };
      if (answer.status !== 200) return undefined;
      return { found: true, value: unb64((answer.body as { data?: { v?: string } }).data?.v) };
    },
  };
}

/** Secrets of a demo cluster in namespace "soak", through the engine's API. */
export function engineSource(clusterId: string, call: Call): SecretSource {
  const path = (secret: string) => `/v2/clusters/${clusterId}/secrets/soak/${secret}`;
  return {
    name: clusterId,
    async write(secret, value) {
      const data = { v: b64(value) };
      let answer = await timed(call('PUT', path(secret), { data }));
      if (answer.status === 404)
        answer = await timed(
          call('POST', `/v2/clusters/${clusterId}/secrets`, {
            namespace: 'soak',
            name: secret,
            data,
          }),
        );
      return answer.status < 300 ? 'acked' : 'failed';
    },
    async read(secret) {
      const answer = await timed(call('GET', path(secret)));
      if (answer.status === 404) return { found: false };
      if (answer.status !== 200) return undefined;
      return { found: true, value: unb64((answer.body as { data?: { v?: string } }).data?.v) };
    },
  };
}

const ledgerKey = (source: SecretSource, secret: string) => `${source.name}/${secret}`;

/**
 * Writes the source's `secrets` Secrets in turn, `perSecond` writes a second, until stop() holds;
 * several writes may be in flight at once (never two of one Secret).
 */
export async function runWriter(
  ledger: Ledger,
  source: SecretSource,
  secrets: string[],
  perSecond: number,
  stop: () => boolean,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; !stop(); i++) {
    const secret = secrets[i % secrets.length] as string;
    const write = ledger.write(ledgerKey(source, secret), (value) => source.write(secret, value));
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
    await sleep(1000 / perSecond);
  }
  await Promise.all(inFlight);
}

/** Reads every acknowledged Secret of the sources back once (or a sample of `sample` each). */
export async function checkSources(
  ledger: Ledger,
  sources: SecretSource[],
  sample?: number,
): Promise<void> {
  for (const source of sources) {
    const prefix = `${source.name}/`;
    let keys = ledger.ackedKeys().filter((k) => k.startsWith(prefix));
    if (sample !== undefined) keys = keys.sort(() => Math.random() - 0.5).slice(0, sample);
    for (let i = 0; i < keys.length; i += 10)
      await Promise.all(
        keys
          .slice(i, i + 10)
          .map((key) => ledger.check(key, () => source.read(key.slice(prefix.length)))),
      );
  }
}

/** Checks a sample of each source every `everyMs` until stop() holds. */
export async function runChecker(
  ledger: Ledger,
  sources: SecretSource[],
  stop: () => boolean,
  everyMs = 5000,
): Promise<void> {
  while (!stop()) {
    await checkSources(ledger, sources, 20);
    await sleep(everyMs);
  }
}
