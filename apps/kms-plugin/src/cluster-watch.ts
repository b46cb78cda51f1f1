import http from 'node:http';
import https from 'node:https';
import { StatusEvent } from '@keyhaven/contracts';
import type { EngineClient, PluginError } from './engine-client.ts';

/** What the watch needs of the engine client: where to watch, a token, and a keep-alive agent. */
export type WatchedEngine = Pick<
  EngineClient,
  'watchUrl' | 'authorization' | 'agentFor' | 'forgetToken'
>;

/** A status event is a few hundred bytes: a stream that sends more without an end is cut. */
const MAX_EVENT_CHARS = 64 * 1024;

/** The event's data as a status event, or why it is not one (it is then skipped). */
function readEvent(data: string): StatusEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'the engine sent a status event that is not JSON; skipped it';
  }
  const event = StatusEvent.safeParse(value);
  return event.success ? event.data : 'the engine sent a status event of another shape; skipped it';
}

/**
 * Follows the cluster's status stream (Server-Sent Events): each event names the root key
 * version its KMS configuration wants. Reopens a dropped stream after a second; returns a stop.
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
  const open = async () => {
    if (stopped) return;
    const url = engine.watchUrl(clusterId);
    const transport = url.protocol === 'https:' ? https : http;
    let bearer: string;
    try {
      bearer = await engine.authorization();
    } catch (err) {
      onError((err as PluginError).reason ?? 'engine unreachable');
      return void setTimeout(() => void open(), 1000).unref();
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
      setTimeout(() => void open(), 1000).unref();
    };
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reopen(`the engine answered ${res.statusCode} to the cluster watch`);
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.length > MAX_EVENT_CHARS && buffer.indexOf('\n\n') < 0)
          return reopen(`the engine sent a status event over ${MAX_EVENT_CHARS / 1024} KiB`);
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('');
          if (!data) continue;
          const event = readEvent(data);
          if (typeof event === 'string') onSkipped(event);
          else onEvent(event);
        }
      });
      res.on('end', () => reopen('the cluster watch ended'));
      res.on('error', () => reopen('the cluster watch broke'));
    });
    req.on('error', () => reopen('engine unreachable'));
    req.end();
  };
  void open();
  return () => {
    stopped = true;
    current?.destroy();
  };
}
