import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import {
  CALL_BACKOFF,
  EngineContractError,
  EngineRefusal,
  backoffMs,
  requestOf,
  resultOf,
  type CallInput,
  type CallResult,
  type EngineHttpAnswer,
  type EngineHttpRequest,
  type Operation,
} from '@keyhaven/contracts';
import { HttpError } from '@keyhaven/server';
import { send, type EngineResponse } from './engine-http.ts';
import { badEngineResponse } from './errors.ts';

export interface EngineClientOptions {
  urls: string[];
  timeoutMs?: number;
  /** Extra attempts for idempotent reads. */
  readRetries?: number;
  logger: Logger;
  onUpstreamError?: (kind: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often the BFF checks that the engine answers, and how long it waits for that answer. */
const PROBE_EVERY_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_500;

/**
 * The BFF's only way to the engine: per-call timeouts, failover across engine URLs, retries with
 * backoff for reads only, and engine errors mapped to the BFF's error format with their message.
 * It forwards the user's bearer token and a request id, never the browser's cookies.
 */
export class EngineClient {
  private preferred = 0;
  /** Set while no engine answers its health check: calls then fail at once, saying why. */
  private down: { since: Date; reason: string } | undefined;
  /** Aborted when the engine is found down, so that calls waiting on it end too. */
  private downSignal = EngineClient.downController();
  private probe: NodeJS.Timeout | undefined;
  private readonly inflight = new Map<string, Promise<unknown>>();
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

  /** Every call in flight listens to it: as many listeners as calls is no leak. */
  private static downController(): AbortController {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
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
    this.downSignal = EngineClient.downController();
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
  async raw(
    request: EngineHttpRequest,
    signal?: AbortSignal,
    stream = false,
  ): Promise<EngineResponse> {
    const { method } = request;
    const attempts = method === 'GET' ? 1 + this.readRetries : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.down) throw this.unavailable();
      for (let i = 0; i < this.urls.length; i++) {
        const index = (this.preferred + i) % this.urls.length;
        const base = this.urls[index] ?? '';
        // One signal ends the exchange: its deadline, the caller's cancel, or the engine found down.
        const exchange = new AbortController();
        const timer = setTimeout(
          () =>
            exchange.abort(new DOMException('The engine did not answer in time.', 'TimeoutError')),
          this.timeoutMs,
        );
        // Like AbortSignal.timeout: a pending timer does not keep the process alive.
        timer.unref();
        const down = this.downSignal.signal;
        const onDown = () => exchange.abort(down.reason);
        const onCancel = () => exchange.abort(signal?.reason);
        down.addEventListener('abort', onDown, { once: true });
        signal?.addEventListener('abort', onCancel, { once: true });
        if (signal?.aborted) onCancel();
        // The deadline covers the whole exchange: it ends once the answer is read or dropped.
        const release = () => {
          clearTimeout(timer);
          down.removeEventListener('abort', onDown);
          signal?.removeEventListener('abort', onCancel);
        };
        try {
          const response = await send(base, request, exchange.signal, release);
          if (stream) clearTimeout(timer);
          this.preferred = index;
          if (
            method === 'GET' &&
            response.status >= 502 &&
            response.status <= 504 &&
            attempt + 1 < attempts
          ) {
            lastError = new Error(`engine answered ${response.status}`);
            response.discard();
            break;
          }
          return response;
        } catch (err) {
          release();
          if (signal?.aborted) throw err;
          lastError = err;
          this.options.onUpstreamError?.(
            (err as Error).name === 'TimeoutError' ? 'timeout' : 'connect',
          );
          // Only a request that never reached an engine may go to the next one, unless it is a read.
          if (method !== 'GET' && (err as Error).name === 'TimeoutError') break;
        }
      }
      if (attempt + 1 < attempts) await sleep(backoffMs(attempt, CALL_BACKOFF));
    }
    const timedOut = (lastError as Error | undefined)?.name === 'TimeoutError';
    // No engine could be reached: while the health check runs, it is the one to say when it is
    // back. One slow answer is that call's failure only: marking the engine down would end every
    // session's status stream.
    if (this.probe && !this.down && !timedOut) this.markDown('the connection was refused');
    if (this.down) throw this.unavailable();
    this.options.logger.warn(
      { err: lastError, operation: request.operation?.operationId ?? request.path },
      'engine unreachable',
    );
    if (timedOut) {
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

  /** A request's answer read to its end, so that several callers can each read it. */
  private async buffered(request: EngineHttpRequest): Promise<EngineHttpAnswer> {
    const response = await this.raw(request, request.signal);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text: async () => text };
  }

  /**
   * Identical reads in flight at the same moment (same path, token and headers) share one engine
   * call and its checked answer: a burst of identical screens costs the engine one request and the
   * BFF one parse. A caller that joins a call already under way gets an answer at most that call's
   * duration old (milliseconds; live status comes from the event stream anyway). The shared call
   * carries the first caller's request id; its answer is read-only to every caller.
   */
  private shared<O extends Operation>(op: O, request: EngineHttpRequest): Promise<CallResult<O>> {
    let key = request.path;
    for (const name in request.headers)
      if (name !== 'x-request-id') key += `\n${name}:${request.headers[name]}`;
    let pending = this.inflight.get(key) as Promise<CallResult<O>> | undefined;
    if (!pending) {
      pending = this.buffered(request)
        .then((answer) => resultOf(op, answer))
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** The engine's refusal or broken answer as the BFF's error, with the engine's own words. */
  private translate(err: unknown, op: Operation): unknown {
    if (err instanceof EngineRefusal) return toApiError(err);
    if (err instanceof EngineContractError) {
      this.options.onUpstreamError?.('contract');
      this.options.logger.error(
        { operation: op.operationId, issues: err.issues.slice(0, 5) },
        'engine answer broke the contract',
      );
      return badEngineResponse();
    }
    return err;
  }

  /** Calls an operation of the engine's API and checks its answer against the contract. */
  async call<O extends Operation>(op: O, input: CallInput<O>): Promise<CallResult<O>> {
    try {
      const request = requestOf(op, input);
      // A call its caller may cancel is its own: cancelling must not end other callers' reads.
      return await (request.method === 'GET' && !request.signal
        ? this.shared(op, request)
        : resultOf(op, await this.buffered(request)));
    } catch (err) {
      throw this.translate(err, op);
    }
  }

  /**
   * Opens a stream of the engine's API (a status watch): its timeout covers only the wait for its
   * headers, and it stays open as long as `signal` allows.
   */
  open<O extends Operation>(
    op: O,
    input: CallInput<O>,
    signal: AbortSignal,
  ): Promise<EngineResponse> {
    return this.raw(requestOf(op, input), signal, true);
  }

  /** Whether an engine answers its health check. */
  async ping(): Promise<void> {
    const response = await this.raw({ method: 'GET', path: '/healthz', headers: {} });
    response.discard();
    if (!response.ok)
      throw new HttpError(
        503,
        'ENGINE_UNAVAILABLE',
        `The Keyhaven engine answered ${response.status}.`,
      );
  }
}

/** The engine's refusal as the BFF's error: its code and message, or a 502 when it gave none. */
export function toApiError(refusal: EngineRefusal): HttpError {
  if (refusal.explained)
    return new HttpError(
      refusal.status,
      refusal.code,
      refusal.message,
      refusal.details,
      refusal.retryAfter,
    );
  return new HttpError(
    refusal.status >= 500 ? 502 : refusal.status,
    'ENGINE_ERROR',
    refusal.message,
    undefined,
    refusal.retryAfter,
  );
}
