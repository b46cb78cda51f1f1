import { randomBytes } from 'node:crypto';
import type { ActivityEntry } from '@keyhaven/contracts';
import { json, type EngineContext } from './context.ts';
import { K } from './records.ts';

const MAX_TIME = 9_999_999_999_999;

/** Activity is keyed by inverted time so that a prefix range reads newest first. */
export class Activity {
  constructor(private readonly ctx: EngineContext) {}

  async record(entry: Omit<ActivityEntry, 'id' | 'at'>): Promise<void> {
    const at = this.ctx.clock.now();
    const id = `${String(MAX_TIME - at.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
    const full: ActivityEntry = { ...entry, id, at: at.toISOString() };
    await this.ctx.store.txn(
      [],
      [
        {
          type: 'put',
          key: K.activity(entry.target.kind, entry.target.id) + id,
          value: json(full),
        },
      ],
    );
  }

  async list(
    kind: ActivityEntry['target']['kind'],
    id: string,
    limit = 200,
  ): Promise<ActivityEntry[]> {
    const page = await this.ctx.store.range(K.activity(kind, id), { limit });
    return page.kvs.map((kv) => JSON.parse(kv.value.toString()) as ActivityEntry);
  }
}
