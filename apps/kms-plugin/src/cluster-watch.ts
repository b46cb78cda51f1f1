import http from 'node:http';
import https from 'node:https';
import {
  STREAM_BACKOFF,
  StatusStreamOverflow,
  backoffMs,
  statusStreamReader,
  type StatusEvent,
} from '@keyhaven/contracts';
import { transportProblem, type EngineClient, type PluginError } from './engine-client.ts';

/** What the watch needs of the engine client: where to watch, a token, and a keep-alive agent. */
export type WatchedEngine = Pick<
  EngineClient,
  'watchUrl' | 'authorization' | 'agentFor' | 'forgetToken'
>;

/** ": <message>" of an engine's JSON refusal, or nothing. */
function refusalOf(text: string): string {
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

/**
 * Follows the cluster's status stream (Server-Sent Events): each event names the root key
 * version its KMS configuration wants. Reopens a dropped stream with backoff; returns a stop.
 * Whatever bytes the engine (or a proxy before it) sends, the plug-in goes on: an event it cannot
 * read is skipped and said in onSkipped, an endless one ends the stream, which is reopened.
 */
export function watchCluster(
  engine: WatchedEngine,
  clusterId: string,
  onEvent: (event: StatusEvent) => void,
  onError: (reason: string) => void,
  onSkipped: (reason: string) => void = onError,
): () => void {
  let stopped = false;
  let current: http.ClientRequest | undefined;
  /** Failures since the stream last opened: each reopen waits longer (STREAM_BACKOFF). */
  let failures = 0;
  const later = () => setTimeout(() => void open(), backoffMs(failures++, STREAM_BACKOFF)).unref();
  const open = async () => {
    if (stopped) return;
    const url = engine.watchUrl(clusterId);
    const transport = url.protocol === 'https:' ? https : http;
    let bearer: string;
    try {
      bearer = await engine.authorization();
    } catch (err) {
      const failure = err as PluginError;
      onError(failure.reason ? `${failure.reason}: ${failure.message}` : 'engine unreachable');
      return void later();
    }
    const req = transport.request(url, {
      agent: engine.agentFor(url),
      headers: { authorization: `Bearer ${bearer}`, accept: 'text/event-stream' },
    });
    current = req;
    const reopen = (reason: string) => {
      if (stopped || current !== req) return;
      current = undefined;
      req.destroy();
      onError(reason);
      if (reason.includes('401')) engine.forgetToken();
      later();
    };
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        // The engine's explanation, bounded: a refusal names what is missing (a certificate).
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 4096) text += chunk;
        });
        res.on('end', () =>
          reopen(`the engine answered ${res.statusCode} to the cluster watch${refusalOf(text)}`),
        );
        return;
      }
      failures = 0;
      const reader = statusStreamReader({ onEvent: (event) => onEvent(event), onSkipped });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          reader.feed(chunk);
        } catch (err) {
          if (!(err instanceof StatusStreamOverflow)) throw err;
          reopen(err.message);
        }
      });
      res.on('end', () => reopen('the cluster watch ended'));
      res.on('error', () => reopen('the cluster watch broke'));
    });
    req.on('error', (err) => reopen(transportProblem(url, err).message));
    req.end();
  };
  void open();
  return () => {
    stopped = true;
    current?.destroy();
  };
}
