import https from 'node:https';
import type { AddressPolicy } from './address-policy.ts';
import { CERTIFICATE_ERRORS, KubeError, statusError, tooLarge } from './errors.ts';

export { KubeError, isKubeFailure, type KubeFailure } from './errors.ts';

/** A Secret as the API server returns it; written back unchanged, so its fields are opaque. */
export interface KubeSecret {
  metadata: { namespace: string; name: string; resourceVersion: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SecretName {
  namespace: string;
  name: string;
  revision: number;
}

export interface SecretPage {
  items: KubeSecret[];
  continue?: string;
  /** Items after this page, when the API server knows (not with a continue token of its own). */
  remaining?: number;
}

/** What Keyhaven asks of a cluster's API server: a KubeClient, or a fake in unit tests. */
export type KubeApi = Pick<
  KubeClient,
  | 'version'
  | 'can'
  | 'listSecrets'
  | 'secretNamesPage'
  | 'secretNames'
  | 'countSecrets'
  | 'getSecret'
  | 'replaceSecret'
  | 'checkKms'
  | 'close'
>;

export interface KubeTarget {
  server: string;
  caCertificate: string;
  token: string;
}

export interface KubeClientOptions {
  /** Addresses never to connect to (link-local, cloud metadata); checked at every connection. */
  policy?: AddressPolicy;
  /** Ends every call of this client when it aborts (a budget for a whole check). */
  signal?: AbortSignal;
  /** Names the budget in the error an abort gives ("within 8 s"). */
  budgetMs?: number;
}

/** A socket silent this long ends the call. */
const TIMEOUT_MS = 15_000;
/** No call takes longer than this in all, however slowly the answer trickles in. */
const DEADLINE_MS = 60_000;
/**
 * The most of an answer Keyhaven reads: a list page (250 Secrets of up to 1 MiB each, as etcd
 * allows, would be more: lower KEYHAVEN_MIGRATION_PAGE_SIZE for such clusters), and much less
 * for anything else. A larger answer ends the call: it can never take the engine down.
 */
export const MAX_LIST_BYTES = 128 * 1024 * 1024;
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** A Kubernetes version as /version's gitVersion gives it ("v1.37.2", "v1.30.4+k3s1"). */
const KUBE_VERSION = /^v?\d{1,4}\.\d{1,4}(\.\d{1,4})?([-+][0-9A-Za-z.+-]{1,50})?$/;

/**
 * The few Kubernetes API calls Keyhaven makes on a connected cluster: its version, what its token
 * may do, and Secrets listed in pages and written back. One keep-alive agent per cluster.
 */
export class KubeClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(
    private readonly target: KubeTarget,
    private readonly options: KubeClientOptions = {},
  ) {
    this.base = new URL(target.server);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: target.caCertificate,
      ...(options.policy && { lookup: options.policy.lookup }),
    });
  }

  get server(): string {
    return this.target.server;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One call; JSON in and out, the answer read up to `maxBytes` within the deadline. Errors name
   * what failed, never the token and never the answer's own text.
   */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
    maxBytes = MAX_ANSWER_BYTES,
  ): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { signal, budgetMs, policy } = this.options;
    if (signal?.aborted) throw this.overBudget(budgetMs);
    try {
      policy?.check(this.target.server);
    } catch (err) {
      throw this.networkError(err as NodeJS.ErrnoException);
    }
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(
        () => req.destroy(Object.assign(new Error('deadline'), { code: 'DEADLINE' })),
        DEADLINE_MS,
      );
      const onAbort = () => req.destroy(this.overBudget(budgetMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
      };
      const req = https.request(
        new URL(this.base.pathname.replace(/\/$/, '') + path, this.base),
        {
          method,
          agent: this.agent,
          timeout: TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.target.token}`,
            accept,
            ...(payload !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            size += d.length;
            if (size > maxBytes) return void req.destroy(tooLarge(method, path, maxBytes));
            chunks.push(d);
          });
          res.on('error', (err) => {
            done();
            reject(err instanceof KubeError ? err : this.networkError(err));
          });
          res.on('end', () => {
            done();
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // health endpoints answer text
            }
            if (status >= 200 && status < 300) return resolve({ status, body: parsed as T });
            reject(statusError(status, method, path, parsed));
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), { code: 'TIMEOUT' }),
        ),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        done();
        reject(this.networkError(err));
      });
      req.end(payload);
    });
  }

  private overBudget(budgetMs: number | undefined): KubeError {
    const within = budgetMs ? ` within ${budgetMs / 1000} s` : '';
    return new KubeError(
      'UNREACHABLE',
      `the API server at ${this.target.server} did not answer${within}`,
    );
  }

  private networkError(err: NodeJS.ErrnoException): KubeError {
    if (err instanceof KubeError) return err;
    const code = err.code ?? '';
    if (code === 'EDENIED')
      return new KubeError(
        'DENIED',
        `the API server at ${this.target.server} is at an address Keyhaven may not reach (link-local or cloud metadata: see KEYHAVEN_CLUSTER_DENY)`,
      );
    if (code === 'DEADLINE')
      return new KubeError(
        'UNREACHABLE',
        `the API server at ${this.target.server} did not finish its answer within ${DEADLINE_MS / 1000} s`,
      );
    if (CERTIFICATE_ERRORS.has(code) || code.startsWith('ERR_SSL') || code.includes('CERT'))
      return new KubeError(
        'BAD_CERTIFICATE',
        `the API server's certificate at ${this.target.server} is not trusted with the given CA certificate`,
      );
    return new KubeError(
      'UNREACHABLE',
      `the API server at ${this.target.server} cannot be reached`,
    );
  }

  /** The API server's version, refused unless it reads like one (it is stored and shown). */
  async version(): Promise<string> {
    const { body } = await this.call<{ gitVersion?: unknown }>('GET', '/version');
    const version = body && typeof body === 'object' ? body.gitVersion : undefined;
    if (!isKubeVersion(version))
      throw new KubeError(
        'SERVER_ERROR',
        `the API server at ${this.target.server} answered /version without a Kubernetes version (gitVersion such as "v1.37.2")`,
      );
    return version;
  }

  /** Whether the token may do this on Secrets in every namespace (SelfSubjectAccessReview). */
  async can(verb: string): Promise<boolean> {
    const { body } = await this.call<{ status?: { allowed?: boolean } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, resource: 'secrets', group: '' } },
      },
    );
    return body.status?.allowed === true;
  }

  async listSecrets(limit: number, continueToken?: string): Promise<SecretPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (continueToken) query.set('continue', continueToken);
    const { body } = await this.call<{
      items?: KubeSecret[];
      metadata?: { continue?: string; remainingItemCount?: number };
    }>('GET', `/api/v1/secrets?${query}`, undefined, undefined, MAX_LIST_BYTES);
    return {
      items: body.items ?? [],
      ...(body.metadata?.continue && { continue: body.metadata.continue }),
      ...(body.metadata?.remainingItemCount !== undefined && {
        remaining: body.metadata.remainingItemCount,
      }),
    };
  }

  /**
   * One page of Secrets' namespace, name and resourceVersion (its etcd revision), read as
   * metadata only: values never leave the API server for a list.
   */
  async secretNamesPage(
    namespace: string | undefined,
    limit: number,
    continueToken?: string,
  ): Promise<{ names: SecretName[]; continue?: string; remaining?: number }> {
    const base = namespace
      ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`
      : '/api/v1/secrets';
    const query = new URLSearchParams({ limit: String(limit) });
    if (continueToken) query.set('continue', continueToken);
    const { body } = await this.call<{
      items?: { metadata: { namespace: string; name: string; resourceVersion: string } }[];
      metadata?: { continue?: string; remainingItemCount?: number };
    }>('GET', `${base}?${query}`, undefined, METADATA_ONLY, MAX_LIST_BYTES);
    return {
      names: (body.items ?? []).map(({ metadata }) => ({
        namespace: metadata.namespace,
        name: metadata.name,
        revision: Number(metadata.resourceVersion) || 0,
      })),
      ...(body.metadata?.continue && { continue: body.metadata.continue }),
      ...(body.metadata?.remainingItemCount !== undefined && {
        remaining: body.metadata.remainingItemCount,
      }),
    };
  }

  /** Every Secret's name (for a search across them all), 500 a page. */
  async secretNames(namespace?: string): Promise<SecretName[]> {
    const names: SecretName[] = [];
    let continueToken: string | undefined;
    do {
      const page = await this.secretNamesPage(namespace, 500, continueToken);
      names.push(...page.names);
      continueToken = page.continue;
    } while (continueToken);
    return names;
  }

  /** How many Secrets the cluster holds, from one list of a single item. */
  async countSecrets(): Promise<number> {
    const page = await this.listSecrets(1);
    return page.items.length + (page.remaining ?? 0);
  }

  async getSecret(namespace: string, name: string): Promise<KubeSecret> {
    return (await this.call<KubeSecret>('GET', secretPath(namespace, name))).body;
  }

  /** Writes the Secret back as it is; the API server refuses it if it changed since (409). */
  async replaceSecret(secret: KubeSecret): Promise<KubeSecret> {
    const { namespace, name } = secret.metadata;
    return (await this.call<KubeSecret>('PUT', secretPath(namespace, name), secret)).body;
  }

  /**
   * Asks the API server for its readiness, which runs its KMS health check: past that check's
   * cache time, the API server calls the plug-in's Status and, when the key_id changed, Encrypt
   * for a seed under the new key. (`/readyz` itself, not `/readyz/kms-providers`: RBAC's
   * system:public-info-viewer lets any token read the first only.)
   */
  async checkKms(): Promise<{ ok: boolean; text: string }> {
    try {
      const { body } = await this.call<unknown>('GET', '/readyz?verbose');
      return { ok: true, text: String(body) };
    } catch (err) {
      if (err instanceof KubeError && err.status !== undefined)
        return { ok: false, text: err.message };
      throw err;
    }
  }
}

/** Whether a version string is one Keyhaven stores and shows (at most 64 characters). */
export const isKubeVersion = (version: unknown): version is string =>
  typeof version === 'string' && version.length <= 64 && KUBE_VERSION.test(version);

const METADATA_ONLY =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const secretPath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
