import { randomBytes } from 'node:crypto';
import type { ActivityEntry, AuditPage, AuditQuery } from '@keyhaven/contracts';
import { json, type EngineContext } from './context.ts';
import type { Op } from '../store/types.ts';
import { StoreKey } from './records.ts';

/** What a change says about itself; the account is the one whose resource it changed. */
export type ActivityInput = Omit<ActivityEntry, 'id' | 'at' | 'accountId'> & { accountId: string };

const MAX_TIME = 9_999_999_999_999;

const MAX_SEQUENCE = 0xffff;

/** Entries read from the store at a time while filtering the audit log. */
const AUDIT_BATCH = 500;
/**
 * Entries one audit request reads at most: a filter that matches little answers with what it
 * found and where to go on, in bounded time, instead of reading the whole log.
 */
export const AUDIT_SCAN_LIMIT = 20_000;

/** The key after which entries made at or before `to` begin (newer ones sort before it). */
function newestBound(to: string): string | undefined {
  const ms = Date.parse(to);
  // Before 1970 no entry was made: a key after every entry's.
  if (ms < 0) return '~';
  const inverted = MAX_TIME - ms - 1;
  // '.' sorts right after '-', so every entry of that inverted millisecond is skipped too.
  return inverted < 0 ? undefined : `${String(inverted).padStart(13, '0')}.`;
}

/** Whether an entry passes the audit log's filters; an action filter also matches its children. */
export function auditMatches(entry: ActivityEntry, q: AuditQuery): boolean {
  return (
    (q.actor === undefined || entry.actor === q.actor) &&
    (q.action === undefined ||
      entry.action === q.action ||
      entry.action.startsWith(`${q.action}.`)) &&
    (q.targetKind === undefined || entry.target.kind === q.targetKind) &&
    (q.targetId === undefined || entry.target.id === q.targetId)
  );
}

/**
 * Activity is keyed by inverted time so that a prefix range reads newest first; entries this
 * process makes within one millisecond are ordered by an inverted sequence after it, and a random
 * suffix keeps replicas' entries apart.
 */
export class Activity {
  private lastMs = -1;
  private sequence = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly limits = { batch: AUDIT_BATCH, scan: AUDIT_SCAN_LIMIT },
  ) {}

  /**
   * The puts that record an entry, for callers that write it atomically with their change: one
   * under its target (the resource's activity) and one under its account (the audit log).
   */
  ops(entry: ActivityInput): Op[] {
    const at = this.ctx.clock.now();
    const ms = at.getTime();
    this.sequence = ms === this.lastMs ? Math.min(this.sequence + 1, MAX_SEQUENCE) : 0;
    this.lastMs = ms;
    const order = (MAX_SEQUENCE - this.sequence).toString(16).padStart(4, '0');
    const id = `${String(MAX_TIME - ms).padStart(13, '0')}-${order}-${randomBytes(4).toString('hex')}`;
    const value = json({ ...entry, id, at: at.toISOString() } satisfies ActivityEntry);
    return [
      { type: 'put', key: StoreKey.activity(entry.target.kind, entry.target.id) + id, value },
      { type: 'put', key: StoreKey.audit(entry.accountId) + id, value },
    ];
  }

  async record(entry: ActivityInput): Promise<void> {
    await this.ctx.store.txn([], this.ops(entry));
  }

  async list(
    kind: ActivityEntry['target']['kind'],
    id: string,
    limit = 200,
  ): Promise<ActivityEntry[]> {
    const page = await this.ctx.store.range(StoreKey.activity(kind, id), { limit });
    return page.kvs.map((kv) => JSON.parse(kv.value.toString()) as ActivityEntry);
  }

  /**
   * A page of the account's audit log, newest first: entries after the cursor (or made at or
   * before `to`), back to `from`, that pass the filters. `next` is where the following page
   * starts; it is also set when the scan stopped at AUDIT_SCAN_LIMIT with the page not full.
   */
  async audit(accountId: string, q: AuditQuery): Promise<AuditPage> {
    const prefix = StoreKey.audit(accountId);
    const start = q.after ?? (q.to ? newestBound(q.to) : undefined);
    let after = start === undefined ? undefined : prefix + start;
    const from = q.from ? Date.parse(q.from) : undefined;
    const entries: ActivityEntry[] = [];
    let scanned = 0;
    for (;;) {
      const page = await this.ctx.store.range(prefix, {
        limit: this.limits.batch,
        ...(after !== undefined && { after }),
      });
      for (const kv of page.kvs) {
        const entry = JSON.parse(kv.value.toString()) as ActivityEntry;
        if (from !== undefined && Date.parse(entry.at) < from) return { entries, next: null };
        scanned += 1;
        after = kv.key;
        if (!auditMatches(entry, q)) continue;
        entries.push(entry);
        if (entries.length === q.limit) return { entries, next: entry.id };
      }
      if (!page.more || after === undefined) return { entries, next: null };
      if (scanned >= this.limits.scan) return { entries, next: after.slice(prefix.length) };
    }
  }
}
