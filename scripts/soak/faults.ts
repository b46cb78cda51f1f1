// The soak's fault injector: every 20–40 s one process, drawn by a seeded generator (so a failing
// run replays with --seed), is SIGKILLed and started again after a random pause.
import type { FaultKind, Target } from './processes.ts';

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Fault {
  kind: FaultKind;
  target: string;
  /** Seconds since the run began. */
  at: number;
  pauseMs: number;
  /** From the restart until the process answered as ready again. */
  recoveryMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sleeps ms, waking early once stop() holds; whether it slept the whole time. */
async function pause(ms: number, stop: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (stop()) return false;
    await sleep(Math.min(250, until - Date.now()));
  }
  return true;
}

/**
 * Strikes until stop() holds: a kind drawn first (so each kind is hit as often, however many
 * processes it has), then one of its processes. Each fault is over (the process ready again)
 * before the next is drawn.
 */
export async function injectFaults(
  targets: Target[],
  seed: number,
  startedAt: number,
  stop: () => boolean,
  log: (line: string) => void,
): Promise<Fault[]> {
  const random = seededRandom(seed);
  const kinds = [...new Set(targets.map((t) => t.kind))];
  const faults: Fault[] = [];
  // Kill to kill: the next strike is 20–40 s after the last one began, whatever its recovery took.
  let last = Date.now();
  for (;;) {
    const next = last + 20_000 + random() * 20_000;
    if (!(await pause(next - Date.now(), stop))) return faults;
    last = Date.now();
    const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind;
    const ofKind = targets.filter((t) => t.kind === kind);
    const target = ofKind[Math.floor(random() * ofKind.length)] as Target;
    const pauseMs = Math.round(1000 + random() * 9000);
    const at = (Date.now() - startedAt) / 1000;
    await target.kill();
    await sleep(pauseMs);
    const restartedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await target.start();
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        log(
          `${target.name} did not start (try ${attempt}): ${(err as Error).message.slice(0, 300)}`,
        );
        await target.kill();
      }
    }
    const recoveryMs = Date.now() - restartedAt;
    faults.push({ kind, target: target.name, at, pauseMs, recoveryMs });
    log(
      `SIGKILL ${target.name} at ${at.toFixed(0)} s; started again after ${(pauseMs / 1000).toFixed(1)} s, ready in ${(recoveryMs / 1000).toFixed(1)} s`,
    );
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Per kind: how many faults, and the recovery time's p50 and p95 in seconds. */
export function faultsByKind(faults: Fault[]) {
  const kinds = [...new Set(faults.map((f) => f.kind))].sort();
  return kinds.map((kind) => {
    const times = faults
      .filter((f) => f.kind === kind)
      .map((f) => f.recoveryMs / 1000)
      .sort((a, b) => a - b);
    return { kind, count: times.length, p50: percentile(times, 50), p95: percentile(times, 95) };
  });
}
