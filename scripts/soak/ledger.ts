// What the soak's writers were told was stored, and the judge of every read against it: as
// Jepsen's set-full checker counts them, an acknowledged value that reads back older (stale) or
// not at all (lost) fails the run.

/** A write's outcome as the writer saw it: acknowledged, refused, or unknown (no answer). */
export type WriteOutcome = 'acked' | 'failed';

interface KeyHistory {
  /** The sequence number of each value ever attempted for the key. */
  seqOf: Map<string, number>;
  nextSeq: number;
  /** The last acknowledged write's sequence number; 0 before any. */
  ackedSeq: number;
  inFlight: boolean;
}

export interface ReadBack {
  found: boolean;
  value?: string;
}

export class Ledger {
  private readonly keys = new Map<string, KeyHistory>();
  acked = 0;
  failed = 0;
  reads = 0;
  lost = 0;
  stale = 0;
  /** Values read that no writer wrote: corruption. */
  unknown = 0;
  readonly problems: string[] = [];

  constructor(private readonly marker: string) {}

  private history(key: string): KeyHistory {
    let h = this.keys.get(key);
    if (!h) {
      h = { seqOf: new Map(), nextSeq: 1, ackedSeq: 0, inFlight: false };
      this.keys.set(key, h);
    }
    return h;
  }

  /**
   * Runs one write of a new value to key through write(), unless a write of the key is still
   * unanswered (a late write must never overtake a newer one). Values start with the run's
   * marker, so the log check can find any that leaked.
   */
  async write(key: string, write: (value: string) => Promise<WriteOutcome>): Promise<void> {
    const h = this.history(key);
    if (h.inFlight) return;
    h.inFlight = true;
    const seq = h.nextSeq++;
    const value = `${this.marker} ${key} #${seq}`;
    h.seqOf.set(value, seq);
    try {
      const outcome = await write(value).catch((): WriteOutcome => 'failed');
      if (outcome === 'acked') {
        h.ackedSeq = Math.max(h.ackedSeq, seq);
        this.acked++;
      } else this.failed++;
    } finally {
      h.inFlight = false;
    }
  }

  /** Keys with at least one acknowledged write. */
  ackedKeys(): string[] {
    return [...this.keys].filter(([, h]) => h.ackedSeq > 0).map(([k]) => k);
  }

  /**
   * Reads key through read() and judges the answer against what was acknowledged before the read
   * began: an older value is stale, no value is lost. Unanswered reads are not judged.
   */
  async check(key: string, read: () => Promise<ReadBack | undefined>): Promise<void> {
    const h = this.history(key);
    const before = h.ackedSeq;
    const got = await read().catch(() => undefined);
    if (!got) return;
    this.reads++;
    if (!got.found) {
      if (before > 0) this.report('lost', key, `acknowledged #${before} reads as missing`);
      return;
    }
    const seq = h.seqOf.get(got.value ?? '');
    if (seq === undefined) this.report('unknown', key, 'reads a value no writer wrote');
    else if (seq < before)
      this.report('stale', key, `reads #${seq}, but #${before} was acknowledged first`);
  }

  private report(kind: 'lost' | 'stale' | 'unknown', key: string, what: string) {
    this[kind]++;
    if (this.problems.length < 50) this.problems.push(`${kind}: ${key} ${what}`);
  }
}
