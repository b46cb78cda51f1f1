import type { KeyAdapterName } from '@keyhaven/contracts';
import { getDoc, json, type EngineContext } from './context.ts';
import { StoreKey } from './records.ts';

interface CredentialsKeyRecord {
  adapter: KeyAdapterName;
  handle: string;
  createdAt: string;
}

/**
 * Seals what Keyhaven keeps to reach connected clusters (service-account tokens, etcd client
 * keys) under a key of the engine's default key adapter, made on first use: the store holds only
 * the sealed form, bound to the cluster and field it belongs to.
 */
export class Credentials {
  private key?: Promise<CredentialsKeyRecord>;

  constructor(private readonly ctx: EngineContext) {}

  private loadKey(): Promise<CredentialsKeyRecord> {
    this.key ??= (async () => {
      const existing = await getDoc<CredentialsKeyRecord>(this.ctx.store, StoreKey.credentialsKey);
      if (existing) return existing.value;
      const adapter = this.ctx.adapterFor(this.ctx.defaultAdapter);
      const created: CredentialsKeyRecord = {
        adapter: adapter.name,
        handle: await adapter.createKey('keyhaven-credentials'),
        createdAt: this.ctx.clock.now().toISOString(),
      };
      const { succeeded } = await this.ctx.store.txn(
        [{ key: StoreKey.credentialsKey, modRevision: 0 }],
        [{ type: 'put', key: StoreKey.credentialsKey, value: json(created) }],
      );
      if (succeeded) return created;
      // Another replica made it first: use theirs and drop ours.
      await adapter.destroy(created.handle).catch(() => undefined);
      const theirs = await getDoc<CredentialsKeyRecord>(this.ctx.store, StoreKey.credentialsKey);
      if (!theirs) throw new Error('the credentials key vanished while it was made');
      return theirs.value;
    })();
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  async seal(plaintext: string, boundTo: string): Promise<string> {
    const key = await this.loadKey();
    const sealed = await this.ctx
      .adapterFor(key.adapter)
      .wrap(key.handle, Buffer.from(plaintext, 'utf8'), Buffer.from(boundTo));
    return sealed.toString('base64');
  }

  async open(sealed: string, boundTo: string): Promise<string> {
    const key = await this.loadKey();
    const plaintext = await this.ctx
      .adapterFor(key.adapter)
      .unwrap(key.handle, Buffer.from(sealed, 'base64'), Buffer.from(boundTo));
    return plaintext.toString('utf8');
  }
}
