import { KeyState, type KeyAliasResource } from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import { getDoc, json, type EngineContext } from './context.ts';
import { conflict, notFound } from './errors.ts';
import type { Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import { StoreKey, type RootKeyRecord } from './records.ts';
import type { Op } from '../store/types.ts';

type Aliases = NonNullable<RootKeyRecord['aliases']>;

/** Key Protect allows 5 aliases per key. */
export const MAX_ALIASES = 5;

/**
 * Key Protect's key aliases: other names of a root key, unique in its instance, usable wherever
 * its id is (the keys API, `--crk` in the CLI). Adding or removing one needs Writer.
 */
export class KeyAliases {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
  ) {}

  async create(
    principal: Principal,
    instanceId: string,
    keyId: string,
    alias: string,
  ): Promise<KeyAliasResource> {
    const { key, modRevision, instance } = await this.keys.keyIn(
      principal,
      instanceId,
      keyId,
      'Writer',
    );
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was deleted; it takes no alias.`);
    const aliases = key.aliases ?? [];
    if (aliases.length >= MAX_ALIASES)
      throw conflict(
        'ALIAS_LIMIT',
        `Root key ${key.name} has ${MAX_ALIASES} aliases, the most it may have; remove one first.`,
      );
    const held = await getDoc<{ keyId: string }>(this.ctx.store, StoreKey.alias(instanceId, alias));
    // Key ids are UUIDs, which an alias may not be: an alias never shadows an id.
    if (held) throw conflict('ALIAS_IN_USE', `${alias} already names a root key of this instance.`);
    const now = this.ctx.clock.now().toISOString();
    const entry = { alias, creationDate: now, createdBy: principal.username };
    const aliasKey = StoreKey.alias(instanceId, alias);
    await this.write(
      { key, modRevision, accountId: instance.accountId },
      [...aliases, entry],
      { type: 'put', key: aliasKey, value: json({ keyId: key.id }) },
      `Added the alias ${alias} to root key ${key.name}.`,
      principal,
      // Held by nobody when written: of two requests for one alias, one wins.
      aliasKey,
    );
    return { keyId: key.id, ...entry };
  }

  async delete(principal: Principal, instanceId: string, keyId: string, alias: string) {
    const { key, modRevision, instance } = await this.keys.keyIn(
      principal,
      instanceId,
      keyId,
      'Writer',
    );
    const aliases = key.aliases ?? [];
    if (!aliases.some((a) => a.alias === alias))
      throw notFound(`Alias of root key ${key.name}`, alias);
    await this.write(
      { key, modRevision, accountId: instance.accountId },
      aliases.filter((a) => a.alias !== alias),
      { type: 'delete', key: StoreKey.alias(instanceId, alias) },
      `Removed the alias ${alias} from root key ${key.name}.`,
      principal,
    );
  }

  /**
   * The key's aliases and their index change together, or not at all: the key as it was read,
   * and (when given) the alias held by nobody.
   */
  private async write(
    read: { key: RootKeyRecord; modRevision: number; accountId: string },
    aliases: Aliases,
    aliasOp: Op,
    message: string,
    principal: Principal,
    unheld?: string,
  ) {
    const { key } = read;
    const { succeeded } = await this.ctx.store.txn(
      [
        { key: StoreKey.key(key.id), modRevision: read.modRevision },
        ...(unheld ? [{ key: unheld, modRevision: 0 }] : []),
      ],
      [
        { type: 'put', key: StoreKey.key(key.id), value: json({ ...key, aliases }) },
        aliasOp,
        ...this.activity.ops({
          accountId: read.accountId,
          actor: principal.username,
          action: 'key.alias',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message,
        }),
      ],
    );
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'The root key changed while the request ran; try again.');
  }
}
