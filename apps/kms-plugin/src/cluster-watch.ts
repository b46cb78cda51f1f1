import http from 'node:http';
import https from 'node:https';
import { StatusEvent } from '@keyhaven/contracts';
import type { EngineClient, PluginError } from './engine-client.ts';

/**
 * Follows the cluster's status stream (Server-Sent Events): each event names the root key
 * version its KMS configuration wants. Reopens a dropped stream after a second; returns a stop.
 */
export function watchCluster(
  engine: EngineClient,
  clusterId: string,
  onEvent: (event: StatusEvent) => void,
  onError: (reason: string) => void,
): () => void {
  let stopped = false;
  let current: http.ClientRequest | undefined;
  const open = async () => {
    if (stopped) return;
    const url = new URL(`${engine.engineUrl}/v2/clusters/${encodeURIComponent(clusterId)}/watch`);
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
          const event = StatusEvent.safeParse(JSON.parse(data));
          if (event.success) onEvent(event.data);
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
