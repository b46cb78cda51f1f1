import { randomBytes } from 'node:crypto';
import type { ActivityEntry } from '@keyhaven/contracts';
import { json, type EngineContext } from './context.ts';
import type { Op } from '../store/types.ts';
import { StoreKey } from './records.ts';

const MAX_TIME = 9_999_999_999_999;

/** Activity is keyed by inverted time so that a prefix range reads newest first. */
export class Activity {
  constructor(private readonly ctx: EngineContext) {}

  /** The put that records an entry, for callers that write it atomically with their change. */
  op(entry: Omit<ActivityEntry, 'id' | 'at'>): Op {
    const at = this.ctx.clock.now();
    const id = `${String(MAX_TIME - at.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
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
