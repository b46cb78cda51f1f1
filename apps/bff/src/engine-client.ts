import type { Logger } from 'pino';
import type { z } from 'zod';
import { ErrorBody } from '@keyhaven/contracts';
import { HttpError } from '@keyhaven/server';
import { badEngineResponse } from './errors.ts';

export interface EngineCall {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  token?: string | undefined;
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  requestId?: string | undefined;
}

export interface EngineClientOptions {
  urls: string[];
  timeoutMs?: number;
  /** Extra attempts for idempotent reads. */
  readRetries?: number;
  logger: Logger;
  onUpstreamError?: (kind: string) => void;
}

interface EngineAnswer {
  response: Response;
  payload: unknown;
  /** The payload checked against each contract asked for, shared by the callers of a shared read. */
  parsed: Map<z.ZodType, z.ZodSafeParseResult<unknown>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The BFF's only way to the engine: per-call timeouts, failover across engine URLs, retries with
 * backoff for reads only, and engine errors mapped to the BFF's error format with their message.
 * It forwards the user's bearer token and a request id, never the browser's cookies.
 */
/** How often the BFF checks that the engine answers, and how long it waits for that answer. */
const PROBE_EVERY_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_500;

export class EngineClient {
  private preferred = 0;
  /** Set while no engine answers its health check: calls then fail at once, saying why. */
  private down: { since: Date; reason: string } | undefined;
  /** Aborted when the engine is found down, so that calls waiting on it end too. */
  private downSignal = new AbortController();
  private probe: NodeJS.Timeout | undefined;
  private readonly inflight = new Map<string, Promise<EngineAnswer>>();
  private readonly timeoutMs: number;
  private readonly readRetries: number;

  constructor(private readonly options: EngineClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.readRetries = options.readRetries ?? 2;
  }

  get urls() {
    return this.options.urls;
  }

  /** Why the engine is not answering (and since when), or undefined while it answers. */
  get outage(): { since: Date; reason: string } | undefined {
    return this.down;
  }

  /**
   * Checks every PROBE_EVERY_MS that some engine answers /healthz. While none does, every call
   * fails at once with a 503 that says so (a paused engine would otherwise hold each request for
   * its whole timeout), and the BFF recovers by itself at the first answer.
   */
  startHealthProbe(): void {
    const check = async () => {
      const answers = await Promise.all(
        this.urls.map((url) =>
          fetch(`${url}/healthz`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
            (r) => (r.ok ? undefined : `its health check answered ${r.status}`),
            (err: Error) =>
              err.name === 'TimeoutError'
                ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
                : 'the connection was refused',
          ),
        ),
      );
      if (answers.some((a) => a === undefined)) this.markUp();
      else this.markDown(answers[0] ?? 'no engine is configured');
    };
    this.probe = setInterval(() => void check(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  stopHealthProbe(): void {
    clearInterval(this.probe);
  }

  private markDown(reason: string): void {
    if (this.down) return;
    this.down = { since: new Date(), reason };
    this.options.logger.warn({ reason }, 'the engine is not answering');
    this.downSignal.abort(new DOMException(reason, 'TimeoutError'));
  }

  private markUp(): void {
    if (!this.down) return;
    this.options.logger.info({ since: this.down.since }, 'the engine answers again');
    this.down = undefined;
    this.downSignal = new AbortController();
  }

  private unavailable(): HttpError {
    const { since, reason } = this.down ?? { since: new Date(), reason: 'no answer' };
    return new HttpError(
      503,
      'ENGINE_UNAVAILABLE',
      `The Keyhaven engine is not answering (since ${since.toISOString().slice(11, 19)} UTC: ${reason}). The console keeps trying and recovers by itself when the engine is back.`,
      { since: since.toISOString(), reason },
      '5',
    );
  }

  /**
   * Sends a request, failing over to the next engine when one cannot be reached. The timeout
   * covers the whole exchange, or for a stream (a watch) only until its headers arrive: a stream
   * stays open as long as its reader wants it.
   */
  async raw(call: EngineCall, signal?: AbortSignal, stream = false): Promise<Response> {
    const method = call.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    if (call.requestId) headers['x-request-id'] = call.requestId;
    let body: string | undefined;
    if (call.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    } else if (call.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(call.body);
    }
    const attempts = method === 'GET' ? 1 + this.readRetries : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.down) throw this.unavailable();
      for (let i = 0; i < this.urls.length; i++) {
        const index = (this.preferred + i) % this.urls.length;
        const url = this.urls[index] + call.path;
        const timeout = new AbortController();
        const timer = setTimeout(
          () =>
            timeout.abort(new DOMException('The engine did not answer in time.', 'TimeoutError')),
          this.timeoutMs,
        );
        // Like AbortSignal.timeout: a pending timer does not keep the process alive.
        timer.unref();
        try {
          const response = await fetch(url, {
            method,
            headers,
            ...(body !== undefined && { body }),
            signal: AbortSignal.any([
              ...(signal ? [signal] : []),
              timeout.signal,
              this.downSignal.signal,
            ]),
          });
          if (stream) clearTimeout(timer);
          this.preferred = index;
          if (
            method === 'GET' &&
            response.status >= 502 &&
            response.status <= 504 &&
            attempt + 1 < attempts
          ) {
            lastError = new Error(`engine answered ${response.status}`);
            await response.body?.cancel();
            break;
          }
          return response;
        } catch (err) {
          clearTimeout(timer);
          if (signal?.aborted) throw err;
          lastError = err;
          this.options.onUpstreamError?.(
            (err as Error).name === 'TimeoutError' ? 'timeout' : 'connect',
          );
          // Only a request that never reached an engine may go to the next one, unless it is a read.
          if (method !== 'GET' && (err as Error).name === 'TimeoutError') break;
        }
      }
      if (attempt + 1 < attempts) await sleep(100 * 3 ** attempt);
    }
    // No engine answered: while the health check runs, it is the one to say when it is back.
    if (this.probe && !this.down)
      this.markDown(
        (lastError as Error | undefined)?.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : 'the connection was refused',
      );
    if (this.down) throw this.unavailable();
    this.options.logger.warn({ err: lastError, path: call.path }, 'engine unreachable');
    if ((lastError as Error | undefined)?.name === 'TimeoutError') {
      throw new HttpError(
        503,
        'ENGINE_TIMEOUT',
        'The Keyhaven engine did not answer in time. Try again.',
        undefined,
        '5',
      );
    }
    throw new HttpError(
      503,
      'ENGINE_UNAVAILABLE',
      'The Keyhaven engine is unavailable. Try again shortly.',
      undefined,
      '5',
    );
  }

  private async load(call: EngineCall): Promise<EngineAnswer> {
    const response = await this.raw(call);
    return { response, payload: await readJson(response), parsed: new Map() };
  }

  /**
   * Identical reads in flight at the same moment (same path, token and headers) share one engine
   * call: a burst of identical screens costs the engine one request. A caller that joins a call
   * already under way gets an answer at most that call's duration old (milliseconds; live status
   * comes from the event stream anyway). The shared call carries the first caller's request id.
   */
  private read(call: EngineCall): Promise<EngineAnswer> {
    if ((call.method ?? 'GET') !== 'GET') return this.load(call);
    const key = `${call.path}\n${call.token ?? ''}\n${call.headers ? JSON.stringify(call.headers) : ''}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.load(call).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Sends a request and validates the answer against the contract. Callers of a shared read get
   * the same checked value (once, not once each), so they must treat it as read-only.
   */
  async json<T extends z.ZodType>(schema: T, call: EngineCall): Promise<z.infer<T>> {
    const answer = await this.read(call);
    const { response, payload } = answer;
    if (!response.ok) throw toApiError(response, payload);
    let parsed = answer.parsed.get(schema);
    if (!parsed) {
      parsed = schema.safeParse(payload);
      answer.parsed.set(schema, parsed);
    }
    if (!parsed.success) {
      this.options.onUpstreamError?.('contract');
      this.options.logger.error(
        { path: call.path, issues: parsed.error.issues.slice(0, 5) },
        'engine answer broke the contract',
      );
      throw badEngineResponse();
    }
    return parsed.data as z.infer<T>;
  }

  /** For calls whose success has no body. */
  async send(call: EngineCall): Promise<void> {
    const response = await this.raw(call);
    const payload = await readJson(response);
    if (!response.ok) throw toApiError(response, payload);
  }
}

/** The body as JSON, or undefined when it is empty or not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function toApiError(response: Response, payload: unknown): HttpError {
  const body = ErrorBody.safeParse(payload);
  const retryAfter = response.headers.get('retry-after') ?? undefined;
  if (body.success)
    return new HttpError(
      response.status,
      body.data.code,
      body.data.message,
      body.data.details,
      retryAfter,
    );
  return new HttpError(
    response.status >= 500 ? 502 : response.status,
    'ENGINE_ERROR',
    `The Keyhaven engine answered ${response.status}.`,
    undefined,
    retryAfter,
  );
}
