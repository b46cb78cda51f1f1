import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** The most the BFF reads of one engine answer; the engine pages its lists far below this. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** One answer of the engine: its status and headers, and its body, read once. */
export interface EngineResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  /** The whole body as text (at most MAX_ANSWER_BYTES). */
  text(): Promise<string>;
  /** The body as a stream (a status watch); reading it consumes the answer. */
  readonly body: ReadableStream<Uint8Array>;
  /** Drops the body unread and frees the connection. */
  discard(): void;
}

/**
 * Kept-alive connections to the engines. node:http rather than fetch: fetch (undici) builds a
 * Request, Headers and a web stream for every call, which cost the BFF's Overview a fifth of its
 * throughput. HTTPS engines are verified against the system CAs and NODE_EXTRA_CA_CERTS.
 */
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/** Where an engine base URL points, parsed once: requests then only add their path. */
interface Target {
  transport: typeof http | typeof https;
  options: http.RequestOptions;
  /** The base URL's own path (an engine behind a path prefix), without its trailing slash. */
  prefix: string;
}
const targets = new Map<string, Target>();
function targetOf(base: string) {
  let target = targets.get(base);
  if (!target) {
    const url = new URL(base);
    const secure = url.protocol === 'https:';
    target = {
      transport: secure ? https : http,
      options: {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || (secure ? 443 : 80),
        agent: secure ? httpsAgent : httpAgent,
      },
      prefix: url.pathname.replace(/\/$/, ''),
    };
    targets.set(base, target);
  }
  return target;
}

/**
 * Sends one exchange to `path` under the engine at `base`. An aborted signal ends it at any point
 * (connecting, waiting or reading) and rejects with the signal's reason; `closed` runs once the
 * answer is read or dropped.
 */
export function send(
  base: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: string },
  signal: AbortSignal,
  closed: () => void,
): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const { transport, options, prefix } = targetOf(base);
    const failed = (err: Error) => (signal.aborted ? signal.reason : err) as Error;
    const req = transport.request(
      {
        ...options,
        method: request.method,
        path: prefix + request.path,
        headers: request.headers,
        signal,
      },
      (res) => {
        res.once('close', closed);
        resolve({
          status: res.statusCode ?? 0,
          ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300,
          headers: {
            get: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text: () =>
            new Promise((done, fail) => {
              const chunks: Buffer[] = [];
              let size = 0;
              res.on('data', (chunk: Buffer) => {
                size += chunk.length;
                chunks.push(chunk);
                if (size <= MAX_ANSWER_BYTES) return;
                fail(new Error(`the engine's answer is larger than ${MAX_ANSWER_BYTES} bytes`));
                res.destroy();
              });
              res.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
              res.once('error', (err) => fail(failed(err)));
              res.once('close', () => {
                if (!res.complete) fail(failed(new Error('the engine closed the answer')));
              });
            }),
          get body() {
            return Readable.toWeb(res) as ReadableStream<Uint8Array>;
          },
          discard: () => res.resume(),
        });
      },
    );
    req.once('error', (err) => {
      closed();
      reject(failed(err));
    });
    req.end(request.body);
  });
}
