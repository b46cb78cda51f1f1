import type { Response } from 'express';
import type { Logger } from 'pino';
import { STREAM_BACKOFF, backoffMs, engineApi, statusStreamReader } from '@keyhaven/contracts';
import type { EngineClient } from './engine-client.ts';
import type { EngineResponse } from './engine-http.ts';
import type { Metrics } from './metrics.ts';

interface Subscriber {
  res: Response;
  token: string;
}

interface Hub {
  /** What it watches, for the log: a cluster's id, or every cluster (never the token). */
  watch: string;
  /** Opens the engine's watch this hub relays, with a subscriber's token. */
  open: (token: string, signal: AbortSignal) => Promise<EngineResponse>;
  subscribers: Set<Subscriber>;
  latest: { id: string; data: string } | undefined;
  upstream: AbortController | undefined;
}

const HEARTBEAT_MS = 15_000;

/**
 * Relays the engine's status stream to browsers: one upstream engine watch per cluster, shared by
 * every subscriber and closed when the last one leaves. Status events are snapshots, so a client
 * that reconnects is resynchronized by the latest event (if newer than its Last-Event-ID).
 */
export class StatusRelay {
  private readonly hubs = new Map<string, Hub>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly engine: EngineClient,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.heartbeat = setInterval(() => {
      for (const hub of this.hubs.values())
        for (const s of hub.subscribers) s.res.write(': heartbeat\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Number of upstream engine watches (one per cluster with subscribers). */
  get upstreams(): number {
    return [...this.hubs.values()].filter((h) => h.upstream).length;
  }

  /** One cluster's status, for its Overview. */
  subscribe(
    clusterId: string,
    res: Response,
    token: string,
    lastEventId: string | undefined,
  ): void {
    this.join(
      clusterId,
      clusterId,
      (t, signal) =>
        this.engine.open(engineApi.watchCluster, { params: { id: clusterId }, token: t }, signal),
      res,
      token,
      lastEventId,
    );
  }

  /**
   * Every cluster the session may view, for the clusters list: one stream, not one per row. Its
   * hub is the session's own, since what a user may view is theirs.
   */
  subscribeAll(res: Response, token: string, lastEventId: string | undefined): void {
    this.join(
      `every-cluster ${token}`,
      'every cluster',
      (t, signal) => this.engine.open(engineApi.watchClusters, { token: t }, signal),
      res,
      token,
      lastEventId,
    );
  }

  private join(
    hubKey: string,
    watch: string,
    open: Hub['open'],
    res: Response,
    token: string,
    lastEventId: string | undefined,
  ): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let hub = this.hubs.get(hubKey);
    if (!hub) {
      hub = { watch, open, subscribers: new Set(), latest: undefined, upstream: undefined };
      this.hubs.set(hubKey, hub);
    }
    const subscriber = { res, token };
    hub.subscribers.add(subscriber);
    this.metrics.sseSubscribers.inc();
    if (hub.latest && (!lastEventId || Number(hub.latest.id) > Number(lastEventId)))
      this.send(res, hub.latest);
    if (!hub.upstream) this.connect(hub);
    res.on('close', () => {
      hub.subscribers.delete(subscriber);
      this.metrics.sseSubscribers.dec();
      if (hub.subscribers.size === 0) {
        hub.upstream?.abort();
        this.hubs.delete(hubKey);
      }
    });
  }

  private send(res: Response, event: { id: string; data: string }) {
    res.write(`id: ${event.id}\nevent: status\ndata: ${event.data}\n\n`);
  }

  private connect(hub: Hub) {
    const controller = new AbortController();
    hub.upstream = controller;
    const run = async () => {
      let failures = 0;
      while (!controller.signal.aborted && !this.closed) {
        const subscriber = hub.subscribers.values().next().value;
        if (!subscriber) return;
        try {
          const response = await hub.open(subscriber.token, controller.signal);
          if (!response.ok) {
            response.discard();
            throw new Error(`engine watch answered ${response.status}`);
          }
          failures = 0;
          const parser = statusStreamReader({
            onEvent: (event, id) => {
              if (!id) return;
              const message = { id, data: JSON.stringify(event) };
              hub.latest = message;
              for (const s of hub.subscribers) this.send(s.res, message);
            },
          });
          const decoder = new TextDecoder();
          const reader = response.body.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.feed(decoder.decode(value, { stream: true }));
          }
        } catch (err) {
          if (controller.signal.aborted) return;
          failures += 1;
          this.metrics.upstreamErrors.inc({ kind: 'watch' });
          this.logger.warn({ err, watch: hub.watch }, 'status watch broke; reconnecting');
        }
        if (controller.signal.aborted) return;
        // The browsers learn that what they show is the last status known, until the engine's
        // watch is back (its first event carries the current status again).
        if (failures <= 1)
          for (const s of hub.subscribers)
            s.res.write(
              `event: interrupted\ndata: ${JSON.stringify({ reason: this.engine.outage?.reason ?? 'the engine watch ended' })}\n\n`,
            );
        await new Promise((r) => setTimeout(r, backoffMs(failures - 1, STREAM_BACKOFF)));
      }
    };
    void run();
  }

  /** A session ended (logout): its streams end too, whatever cluster they follow. */
  endSession(token: string): void {
    for (const hub of this.hubs.values())
      for (const s of hub.subscribers) if (s.token === token) s.res.end();
  }

  /** Ends every stream (graceful shutdown). */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const hub of this.hubs.values()) {
      hub.upstream?.abort();
      for (const s of hub.subscribers) s.res.end();
    }
    this.hubs.clear();
  }
}
