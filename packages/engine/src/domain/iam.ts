import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import {
  hasPlatformRole,
  hasServiceRole,
  normalizeUsername,
  type Me,
  type OwnedResource,
  type PlatformRole,
  type ServiceRole,
  type TokenRequest,
  type TokenResponse,
} from '@keyhaven/contracts';
import { getDoc, json, listDocs, updateDoc, type EngineContext } from './context.ts';
import { EngineError } from './errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export { hashPassword } from './passwords.ts';
import { StoreKey, type ClusterRecord, type RootKeyRecord, type UserRecord } from './records.ts';

const TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'keyhaven-engine';

/** Who is calling, with the grants the store holds right now. */
export interface Principal {
  id: string;
  username: string;
  accountId: string;
  platformRoles: UserRecord['platformRoles'];
  serviceRoles: UserRecord['serviceRoles'];
  /** Set for a connected cluster's KMS plug-in identity: all it may reach (issue 25). */
  plugin?: PluginScope;
}

/** What a cluster's KMS plug-in may reach: its cluster, and the root keys it uses or used. */
export interface PluginScope {
  clusterId: string;
  /** The root keys the cluster uses now or used before (its data may still be under them). */
  keyIds: string[];
  /** The API key its token came from: each plug-in API key serves one resource (API server). */
  apiKeyId: string | undefined;
}

const unauthorized = (message: string) => new EngineError(401, 'UNAUTHORIZED', message);

export function forbidden(
  role: PlatformRole | ServiceRole,
  kind: 'cluster' | 'KMS instance',
  id: string,
): EngineError {
  const roleKind = kind === 'cluster' ? 'platform' : 'service';
  return new EngineError(
    403,
    'FORBIDDEN',
    `You need the ${role} ${roleKind} role on ${kind} ${id}.`,
    {
      requiredRole: role,
      resource: { kind, id },
    },
  );
}

export function requirePlatformRole(
  principal: Principal,
  cluster: OwnedResource,
  role: PlatformRole,
): void {
  if (!hasPlatformRole(principal, cluster, role)) throw forbidden(role, 'cluster', cluster.id);
}

export function requireServiceRole(
  principal: Principal,
  instance: OwnedResource,
  role: ServiceRole,
): void {
  if (!hasServiceRole(principal, instance, role))
    throw forbidden(role, 'KMS instance', instance.id);
}

/** Tokens whose signature was checked, kept with their claims; oldest dropped first. */
const VERIFIED_MAX = 10_000;

export class Iam {
  /** Imported once: jose would import a raw key again on every token it signs or checks. */
  private readonly hmacKey: Promise<CryptoKey>;
  /**
   * A token's signature is checked once: every request of a session carried the same token, and
   * each check was a WebCrypto job on the thread pool. Its expiry is checked on every use, and
   * revocation, the user and its API key are read from the store each time as before.
   */
  private readonly verified = new Map<string, JWTPayload>();

  /**
   * signingKey signs and checks every token; it never enters the store (a local user who can
   * read the store must not be able to sign an admin token): the service keeps it in a 0600 file.
   */
  constructor(
    private readonly ctx: EngineContext,
    signingKey: Uint8Array,
  ) {
    this.hmacKey = webcrypto.subtle.importKey(
      'raw',
      signingKey,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  async findUserByName(username: string): Promise<UserRecord | undefined> {
    const users = await listDocs<UserRecord>(this.ctx.store, StoreKey.users);
    const wanted = normalizeUsername(username);
    return users.find((u) => normalizeUsername(u.value.username) === wanted)?.value;
  }

  async token(request: TokenRequest): Promise<TokenResponse> {
    let user: UserRecord | undefined;
    let apiKeyId: string | undefined;
    if (request.grant_type === 'password') {
      user = await this.findUserByName(request.username);
      // Hash even for an unknown user so that timing does not reveal which names exist.
      const ok = await verifyPassword(request.password, user?.passwordHash ?? 'scrypt$0$AAAA$AAAA');
      if (!user || !ok) throw unauthorized('The username or password is incorrect.');
    } else {
      const [, keyId, secret] = /^khk_([a-f0-9-]{36})_(.+)$/.exec(request.apikey) ?? [];
      const owner = keyId
        ? await getDoc<{ userId: string }>(this.ctx.store, `/keyhaven/apikeys/${keyId}`)
        : undefined;
      const candidate =
        owner &&
        (await getDoc<UserRecord>(this.ctx.store, StoreKey.user(owner.value.userId)))?.value;
      const record = candidate?.apiKeys.find((k) => k.id === keyId);
      if (!candidate || !record || !secret || !(await verifyPassword(secret, record.hash))) {
        throw unauthorized('The API key is not valid.');
      }
      user = candidate;
      apiKeyId = keyId;
    }
    const now = Math.floor(this.ctx.clock.now().getTime() / 1000);
    const claims = {
      username: user.username,
      account: user.accountId,
      ...(apiKeyId && { akid: apiKeyId }),
    };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(await this.hmacKey);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_TTL_SECONDS,
      expiration: now + TOKEN_TTL_SECONDS,
    };
  }

  /** Checks a bearer token and loads the caller's current grants. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized('A bearer token is required: get one at POST /identity/token.');
    const { sub: subject, jti, akid } = await this.verify(token);
    if (jti && (await this.ctx.store.get(`/keyhaven/revoked-tokens/${jti}`)))
      throw unauthorized('The token was revoked: log in again.');
    const user = subject
      ? await getDoc<UserRecord>(this.ctx.store, StoreKey.user(subject))
      : undefined;
    if (!user) throw unauthorized('The token names a user that no longer exists.');
    const apiKeyId = typeof akid === 'string' ? akid : undefined;
    // A token made with an API key ends when that key is revoked, not an hour later.
    if (apiKeyId && !user.value.apiKeys.some((k) => k.id === apiKeyId))
      throw unauthorized('The API key of this token was revoked.');
    const { id, username, accountId, platformRoles, serviceRoles, pluginOf } = user.value;
    if (!pluginOf) return { id, username, accountId, platformRoles, serviceRoles };
    const { grants, keyIds } = await this.pluginGrants(pluginOf);
    return {
      id,
      username,
      accountId,
      platformRoles,
      serviceRoles: grants,
      plugin: { clusterId: pluginOf, keyIds, apiKeyId },
    };
  }

  /**
   * A cluster's KMS plug-in may read (wrap, unwrap) with the root keys the cluster uses now or
   * used before, as the cluster's data may still be under them: Reader of their instances, and
   * (Keys.keyIn) of those keys only.
   */
  private async pluginGrants(clusterId: string) {
    const cluster = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId));
    const kms = cluster?.value.kms;
    if (!cluster || !kms) return { grants: [], keyIds: [] };
    const instances = new Set([kms.instanceId]);
    for (const keyId of cluster.value.previousCrkIds) {
      const key = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(keyId));
      if (key) instances.add(key.value.instanceId);
    }
    return {
      grants: [...instances].map((instanceId) => ({ instanceId, role: 'Reader' as const })),
      keyIds: [kms.crkId, ...cluster.value.previousCrkIds],
    };
  }

  /**
   * Binds a plug-in's API key to the resource (API server) it speaks for, on its first report or
   * registration: from then on that key speaks for no other resource, so one leaked key cannot
   * invent more API servers for the cluster to wait for.
   */
  async bindPluginResource(principal: Principal, resource: string): Promise<void> {
    const scope = principal.plugin;
    if (!scope) return;
    const refuse = (bound: string) =>
      new EngineError(
        403,
        'PLUGIN_RESOURCE_MISMATCH',
        `This API key serves the KMS plug-in of ${bound}; it cannot speak for ${resource}. Set up the KMS plug-in again for each API server: every one needs its own API key.`,
        { field: 'resource' },
      );
    const key = (u: UserRecord) => u.apiKeys.find((k) => k.id === scope.apiKeyId);
    const current = await getDoc<UserRecord>(this.ctx.store, StoreKey.user(principal.id));
    const bound = current && key(current.value)?.resource;
    if (bound === resource) return;
    if (bound) throw refuse(bound);
    await updateDoc<UserRecord>(this.ctx.store, StoreKey.user(principal.id), (u) => {
      const record = key(u);
      if (!record) throw unauthorized('The API key of this token was revoked.');
      if (record.resource && record.resource !== resource) throw refuse(record.resource);
      return {
        ...u,
        apiKeys: u.apiKeys.map((k) => (k.id === record.id ? { ...k, resource } : k)),
      };
    });
  }

  private async verify(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known) {
      const now = Math.floor(this.ctx.clock.now().getTime() / 1000);
      // jose's rule: a token whose exp is now or past has expired.
      if (typeof known.exp === 'number' && known.exp <= now) {
        this.verified.delete(token);
        throw unauthorized('The token has expired.');
      }
      return known;
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.hmacKey, {
        issuer: ISSUER,
        currentDate: this.ctx.clock.now(),
        algorithms: ['HS256'],
      }));
    } catch (err) {
      throw unauthorized(
        err instanceof joseErrors.JWTExpired ? 'The token has expired.' : 'The token is not valid.',
      );
    }
    if (this.verified.size >= VERIFIED_MAX)
      this.verified.delete(this.verified.keys().next().value ?? '');
    this.verified.set(token, payload);
    return payload;
  }

  /** Ends a token for good (logout), on every replica: the revocation lives in the store. */
  async revoke(authorization: string | undefined): Promise<void> {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized('A bearer token is required.');
    const { jti, exp } = await this.verify(token);
    if (!jti) return;
    await this.ctx.store.txn(
      [],
      [{ type: 'put', key: `/keyhaven/revoked-tokens/${jti}`, value: json({ exp }) }],
    );
  }

  me(principal: Principal): Me {
    const { id, username, accountId, platformRoles, serviceRoles } = principal;
    return { id, username, accountId, platformRoles, serviceRoles };
  }

  /** A new API key of the caller's own; a plug-in identity's come from Set up KMS plug-in only. */
  async createApiKey(principal: Principal, name: string) {
    if (principal.plugin)
      throw new EngineError(
        403,
        'FORBIDDEN',
        'A KMS plug-in identity cannot create API keys: an Administrator of the cluster makes them with Set up KMS plug-in.',
      );
    return this.mintApiKey(principal, name);
  }

  /** Makes an API key for the principal (the plug-in setup uses it for the plug-in identity). */
  async mintApiKey(principal: Pick<Principal, 'id'>, name: string) {
    const id = randomUUID();
    const secret = randomBytes(24).toString('base64url');
    const createdAt = this.ctx.clock.now().toISOString();
    const record = { id, name, hash: await hashPassword(secret), createdAt };
    await updateDoc<UserRecord>(this.ctx.store, StoreKey.user(principal.id), (u) => ({
      ...u,
      apiKeys: [...u.apiKeys, record],
    }));
    await this.ctx.store.txn(
      [],
      [{ type: 'put', key: `/keyhaven/apikeys/${id}`, value: json({ userId: principal.id }) }],
    );
    return { id, name, createdAt, apikey: `khk_${id}_${secret}` };
  }

  async listApiKeys(principal: Pick<Principal, 'id'>) {
    const user = await getDoc<UserRecord>(this.ctx.store, StoreKey.user(principal.id));
    return (user?.value.apiKeys ?? []).map(({ id, name, createdAt, resource }) => ({
      id,
      name,
      createdAt,
      ...(resource && { resource }),
    }));
  }

  async revokeApiKey(principal: Pick<Principal, 'id'>, keyId: string): Promise<void> {
    await updateDoc<UserRecord>(this.ctx.store, StoreKey.user(principal.id), (u) => {
      if (!u.apiKeys.some((k) => k.id === keyId))
        throw new EngineError(404, 'NOT_FOUND', `API key ${keyId} was not found`);
      return { ...u, apiKeys: u.apiKeys.filter((k) => k.id !== keyId) };
    });
    await this.ctx.store.txn([], [{ type: 'delete', key: `/keyhaven/apikeys/${keyId}` }]);
  }
}
