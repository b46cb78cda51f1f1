import Database from 'better-sqlite3';
import {
  prefixEnd,
  type Compare,
  type KeyValue,
  type Op,
  type RangeOptions,
  type RangeResult,
  type Store,
  type TxnResult,
  type Unwatch,
  type WatchEvent,
} from './types.ts';

interface Row {
  key: string;
  value: Buffer;
  create_rev: number;
  mod_rev: number;
  version: number;
}

const toKv = (row: Row): KeyValue => ({
  key: row.key,
  value: row.value,
  createRevision: row.create_rev,
  modRevision: row.mod_rev,
  version: row.version,
});

/**
 * The embedded store: one SQLite file in WAL mode. Watches are served in-process, which is enough
 * because one engine process owns the file.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly maxTxnOps = 10_000;
  readonly maxTxnBytes = 256 * 1024 * 1024;
  private readonly db: Database.Database;
  private readonly watchers = new Set<{ prefix: string; onEvent: (event: WatchEvent) => void }>();
  private readonly stmt;
  private readonly transaction;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        create_rev INTEGER NOT NULL,
        mod_rev INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 1);
    `);
    this.stmt = {
      get: this.db.prepare<[string], Row>('SELECT * FROM kv WHERE key = ?'),
      keys: this.db
        .prepare<[string, string], string>(
          'SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key',
        )
        .pluck(),
      rangeFrom: this.db.prepare<[string, string, number], Row>(
        'SELECT * FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
      ),
      rangeAfter: this.db.prepare<[string, string, number], Row>(
        'SELECT * FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?',
      ),
      count: this.db.prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?',
      ),
      modRev: this.db.prepare<[string], { mod_rev: number }>(
        'SELECT mod_rev FROM kv WHERE key = ?',
      ),
      revision: this.db.prepare<[], { value: number }>(
        "SELECT value FROM meta WHERE name = 'revision'",
      ),
      setRevision: this.db.prepare<[number]>("UPDATE meta SET value = ? WHERE name = 'revision'"),
      upsert: this.db.prepare<
        [string, Buffer, number, number],
        { create_rev: number; version: number }
      >(
        `INSERT INTO kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = version + 1
         RETURNING create_rev, version`,
      ),
      upsertQuiet: this.db.prepare<[string, Buffer, number, number]>(
        `INSERT INTO kv (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = version + 1`,
      ),
      delete: this.db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
    };
    this.transaction = this.db.transaction(this.applyTxn);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.stmt.get.get(key);
    return row && toKv(row);
  }

  async range(prefix: string, { after, limit }: RangeOptions): Promise<RangeResult> {
    const rows =
      after !== undefined && after >= prefix
        ? this.stmt.rangeAfter.all(after, prefixEnd(prefix), limit + 1)
        : this.stmt.rangeFrom.all(prefix, prefixEnd(prefix), limit + 1);
    return { kvs: rows.slice(0, limit).map(toKv), more: rows.length > limit };
  }

  async count(prefix: string): Promise<number> {
    return this.stmt.count.get(prefix, prefixEnd(prefix))?.n ?? 0;
  }

  async keys(prefix: string): Promise<string[]> {
    return this.stmt.keys.all(prefix, prefixEnd(prefix));
  }

  private readonly applyTxn = (
    compares: readonly Compare[],
    ops: readonly Op[],
  ): { result: TxnResult; events: WatchEvent[] } => {
    const current = this.stmt.revision.get()?.value ?? 1;
    for (const c of compares) {
      if ((this.stmt.modRev.get(c.key)?.mod_rev ?? 0) !== c.modRevision) {
        return { result: { succeeded: false, revision: current }, events: [] };
      }
    }
    if (ops.length === 0) return { result: { succeeded: true, revision: current }, events: [] };
    const revision = current + 1;
    const events: WatchEvent[] = [];
    for (const op of ops) {
      // Only keys someone watches need their event (and the extra read it costs).
      const watched = this.isWatched(op.key);
      if (op.type === 'put' && !watched) {
        this.stmt.upsertQuiet.run(op.key, op.value, revision, revision);
      } else if (op.type === 'delete' && !watched) {
        this.stmt.delete.run(op.key);
      } else if (op.type === 'put') {
        const row = this.stmt.upsert.get(op.key, op.value, revision, revision) as {
          create_rev: number;
          version: number;
        };
        events.push({
          type: 'put',
          kv: {
            key: op.key,
            value: op.value,
            createRevision: row.create_rev,
            modRevision: revision,
            version: row.version,
          },
        });
      } else {
        const before = this.stmt.get.get(op.key);
        if (!before) continue;
        this.stmt.delete.run(op.key);
        events.push({
          type: 'delete',
          kv: { ...toKv(before), modRevision: revision, value: Buffer.alloc(0) },
        });
      }
    }
    this.stmt.setRevision.run(revision);
    return { result: { succeeded: true, revision }, events };
  };

  async txn(compares: readonly Compare[], ops: readonly Op[]): Promise<TxnResult> {
    if (ops.length > this.maxTxnOps)
      throw new RangeError(`a transaction may carry at most ${this.maxTxnOps} operations`);
    if (
      ops.reduce((n, op) => n + op.key.length + (op.type === 'put' ? op.value.length : 0), 0) >
      this.maxTxnBytes
    )
      throw new RangeError(`a transaction may carry at most ${this.maxTxnBytes} bytes`);
    const { result, events } = this.transaction.immediate(compares, ops);
    for (const event of events) {
      for (const watcher of [...this.watchers])
        if (event.kv.key.startsWith(watcher.prefix)) watcher.onEvent(event);
    }
    return result;
  }

  private isWatched(key: string): boolean {
    for (const watcher of this.watchers) if (key.startsWith(watcher.prefix)) return true;
    return false;
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Unwatch> {
    const watcher = { prefix, onEvent };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  async ping(): Promise<void> {
    this.stmt.revision.get();
  }

  async close(): Promise<void> {
    this.watchers.clear();
    this.db.close();
  }
}
