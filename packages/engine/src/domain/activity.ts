import { randomBytes } from 'node:crypto';
import type { ActivityEntry } from '@keyhaven/contracts';
import { json, type EngineContext } from './context.ts';
import type { Op } from '../store/types.ts';
import { StoreKey } from './records.ts';

const MAX_TIME = 9_999_999_999_999;

const MAX_SEQUENCE = 0xffff;

/**
 * Activity is keyed by inverted time so that a prefix range reads newest first; entries this
 * process makes within one millisecond are ordered by an inverted sequence after it, and a random
 * suffix keeps replicas' entries apart.
 */
export class Activity {
  private lastMs = -1;
  private sequence = 0;

  constructor(private readonly ctx: EngineContext) {}

  /** The put that records an entry, for callers that write it atomically with their change. */
  op(entry: Omit<ActivityEntry, 'id' | 'at'>): Op {
    const at = this.ctx.clock.now();
    const ms = at.getTime();
    this.sequence = ms === this.lastMs ? Math.min(this.sequence + 1, MAX_SEQUENCE) : 0;
    this.lastMs = ms;
    const order = (MAX_SEQUENCE - this.sequence).toString(16).padStart(4, '0');
    const id = `${String(MAX_TIME - ms).padStart(13, '0')}-${order}-${randomBytes(4).toString('hex')}`;
    const full: ActivityEntry = { ...entry, id, at: at.toISOString() };
    return {
      type: 'put',
      key: StoreKey.activity(entry.target.kind, entry.target.id) + id,
      value: json(full),
    };
  }

  async record(entry: Omit<ActivityEntry, 'id' | 'at'>): Promise<void> {
    await this.ctx.store.txn([], [this.op(entry)]);
  }

  async list(
    kind: ActivityEntry['target']['kind'],
    id: string,
    limit = 200,
  ): Promise<ActivityEntry[]> {
    const page = await this.ctx.store.range(StoreKey.activity(kind, id), { limit });
    return page.kvs.map((kv) => JSON.parse(kv.value.toString()) as ActivityEntry);
  }
}
