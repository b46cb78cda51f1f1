import { status as Code } from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics: calls, errors and latency per gRPC method, and the last health check. */
export class PluginMetrics {
  readonly registry = new Registry();
  private readonly calls = new Counter({
    name: 'keyhaven_kms_plugin_calls_total',
    help: 'KMS v2 calls served, by method and gRPC status code',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'keyhaven_kms_plugin_errors_total',
    help: 'KMS v2 calls that failed, by method and gRPC status code',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'keyhaven_kms_plugin_call_duration_seconds',
    help: 'Time to serve a KMS v2 call, by method',
    labelNames: ['method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly healthy = new Gauge({
    name: 'keyhaven_kms_plugin_healthy',
    help: '1 when the last wrap and unwrap round trip through the root key succeeded',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Starts timing a call; the returned function records how it ended. */
  start(method: string): (code: Code) => void {
    const stop = this.latency.startTimer({ method });
    return (code) => {
      stop();
      const labels = { method, code: Code[code] ?? String(code) };
      this.calls.inc(labels);
      if (code !== Code.OK) this.errors.inc(labels);
    };
  }
}
