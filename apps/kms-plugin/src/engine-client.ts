import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as Code } from '@grpc/grpc-js';
import {
  CALL_BACKOFF,
  EngineContractError,
  EngineRefusal,
  TokenKeeper,
  TokenResponse,
  backoffMs,
  engineApi,
  pathOf,
  refusalOf,
  requestOf,
  resultOf,
  type CallInput,
  type CallResult,
  type EngineHttpAnswer,
  type Operation,
  type PluginReport,
} from '@keyhaven/contracts';
import type { PluginConfig } from './config.ts';

/**
 * A failed call to the engine, as the plug-in answers it: a gRPC status code, a short reason the
 * API server prints in its health check, and the engine's own words. Never carries key material.
 */
export class PluginError extends Error {
  override name = 'PluginError';
  constructor(
    readonly code: Code,
    readonly reason: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** A request that never got an answer: the engine unreachable, or its certificate not trusted. */
export function transportProblem(url: URL, err: Error): PluginError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code);
  return new PluginError(
    Code.UNAVAILABLE,
    untrusted ? 'engine certificate not trusted' : 'engine unreachable',
    untrusted
      ? `the engine at ${url.origin} presented a certificate this plug-in does not trust (${code}): check KP_CA_FILE and TOKEN_URL_CA_FILE`
      : `the engine at ${url.origin} cannot be reached (${code})`,
    true,
  );
}

/** What the engine's refusal codes mean to the API server. */
const REFUSALS: Record<string, [Code, string]> = {
  ROOT_KEY_DISABLED: [Code.FAILED_PRECONDITION, 'root key disabled'],
  ROOT_KEY_EXPIRED: [Code.FAILED_PRECONDITION, 'root key expired'],
  ROOT_KEY_DELETED: [Code.FAILED_PRECONDITION, 'root key deleted'],
  KEY_DESTROYED: [Code.FAILED_PRECONDITION, 'root key deleted'],
  KEY_MISSING: [Code.FAILED_PRECONDITION, 'root key material missing'],
  INVALID_CIPHERTEXT: [Code.INVALID_ARGUMENT, 'ciphertext not from this root key'],
};

/** The engine's refusal as the gRPC code and reason the API server sees. */
export function refusal(
  status: number,
  body: { code: string; message: string } | undefined,
): PluginError {
  const message = body ? `${body.code}: ${body.message}` : `HTTP ${status}`;
  const known = body && REFUSALS[body.code];
  if (known) return new PluginError(known[0], known[1], message);
  if (status === 401)
    return new PluginError(Code.UNAUTHENTICATED, 'API key refused by the engine', message);
  if (status === 403)
    return new PluginError(Code.PERMISSION_DENIED, 'access to the root key refused', message);
  if (status === 404) return new PluginError(Code.NOT_FOUND, 'root key not found', message);
  if (status === 429)
    return new PluginError(Code.RESOURCE_EXHAUSTED, 'engine rate limit', message, true);
  if (status >= 500) return new PluginError(Code.UNAVAILABLE, 'engine unavailable', message, true);
  return new PluginError(Code.INTERNAL, 'engine refused the request', message);
}

const CALL_TIMEOUT_MS = 5_000;
const WRAP_AAD = ['kubernetes kms v2'];

/**
 * The engine's IAM and Key Protect APIs, as the plug-in uses them: a token for the API key
 * (renewed before it expires), wrap, unwrap and the plug-in's registration. Connections are kept
 * alive; calls that failed for a retryable reason are retried MAX_RETRIES times with backoff.
 */
export class EngineClient {
  private readonly tokens = new TokenKeeper(() => this.requestToken());
  private readonly agents: { http: http.Agent; https: https.Agent; token: https.Agent };

  constructor(private readonly config: PluginConfig) {
    const options = { keepAlive: true, maxSockets: 64 };
    this.agents = {
      http: new http.Agent(options),
      https: new https.Agent({
        ...options,
        ...(config.engineCa && { ca: config.engineCa }),
        ...config.engineClientCert,
      }),
      token: new https.Agent({ ...options, ...(config.tokenCa && { ca: config.tokenCa }) }),
    };
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    payload: string | undefined,
    agent: http.Agent,
  ): Promise<EngineHttpAnswer> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          agent,
          timeout: CALL_TIMEOUT_MS,
          headers: {
            accept: 'application/json',
            ...headers,
            ...(payload !== undefined && { 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const header = (name: string) => {
              const value = res.headers[name.toLowerCase()];
              return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
            };
            resolve({
              status: res.statusCode ?? 0,
              headers: { get: header },
              text: async () => text,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(transportProblem(url, err)));
      req.end(payload);
    });
  }

  /** Sends a call, retrying retryable failures MAX_RETRIES times with exponential backoff. */
  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof PluginError) || !err.retryable || retry >= this.config.maxRetries)
          throw err;
        await sleep(backoffMs(retry, CALL_BACKOFF));
      }
    }
  }

  /**
   * A token for the API key from the token URL (the engine's IAM, or one that speaks its grant),
   * sent as a form as IAM expects.
   */
  private async requestToken(): Promise<TokenResponse> {
    const url = new URL(this.config.tokenUrl);
    const form = new URLSearchParams({
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      apikey: this.config.apiKey,
    }).toString();
    const answer = await this.withRetries(() =>
      this.send(
        url,
        'POST',
        { 'content-type': 'application/x-www-form-urlencoded' },
        form,
        url.protocol === 'https:' ? this.agents.token : this.agents.http,
      ).then(async (a) => {
        if (a.status >= 500 || a.status === 429) throw await refusalIn(a);
        return a;
      }),
    );
    if (answer.status !== 200) {
      const error = await refusalIn(answer);
      throw answer.status === 401
        ? new PluginError(Code.UNAUTHENTICATED, 'API key refused by the engine', error.message)
        : error;
    }
    try {
      return await resultOf({ ...engineApi.createToken, response: TokenResponse }, answer);
    } catch {
      throw new PluginError(
        Code.INTERNAL,
        'engine answer unexpected',
        'the token answer is malformed',
      );
    }
  }

  /** Calls an operation of the engine's API; a token the engine refused is renewed once. */
  private async call<O extends Operation>(op: O, input: CallInput<O>): Promise<CallResult<O>> {
    const once = async (renewed: boolean): Promise<CallResult<O>> => {
      const request = requestOf(op, { ...input, token: await this.tokens.token() });
      const url = new URL(`${this.config.engineUrl}${request.path}`);
      const agent = url.protocol === 'https:' ? this.agents.https : this.agents.http;
      const answer = await this.send(url, request.method, request.headers, request.body, agent);
      if (answer.status === 401 && !renewed) {
        this.tokens.drop();
        return once(true);
      }
      try {
        return await resultOf(op, answer);
      } catch (err) {
        throw asPluginError(err);
      }
    };
    return this.withRetries(() => once(false));
  }

  /** Wraps a seed; `bound` (the registration id) joins the additional authenticated data. */
  wrap(instanceId: string, keyId: string, plaintext: Buffer, bound?: string) {
    return this.call(engineApi.wrapKey, {
      params: { id: keyId },
      headers: { 'bluemix-instance': instanceId },
      body: {
        plaintext: plaintext.toString('base64'),
        aad: bound === undefined ? WRAP_AAD : [...WRAP_AAD, bound],
      },
    });
  }

  /** Unwraps a seed; it opens only with the `bound` value it was wrapped with (or none). */
  unwrap(instanceId: string, keyId: string, ciphertext: Buffer, bound?: string) {
    return this.call(engineApi.unwrapKey, {
      params: { id: keyId },
      headers: { 'bluemix-instance': instanceId },
      body: {
        ciphertext: ciphertext.toString('base64'),
        aad: bound === undefined ? WRAP_AAD : [...WRAP_AAD, bound],
      },
    });
  }

  register(instanceId: string, keyId: string, resource: string, description: string) {
    return this.call(engineApi.registerKmsPlugin, {
      params: { id: keyId, resource },
      headers: { 'bluemix-instance': instanceId },
      body: { description },
    });
  }

  /** Tells the engine the health it answered the API server with, and the key it took. */
  report(clusterId: string, report: PluginReport) {
    return this.call(engineApi.reportKmsPlugin, { params: { id: clusterId }, body: report });
  }

  /** Where the engine streams a cluster's status. */
  watchUrl(clusterId: string): URL {
    return new URL(`${this.config.engineUrl}${pathOf(engineApi.watchCluster, { id: clusterId })}`);
  }

  /** The bearer token for a call of the plug-in's own (a stream), renewed before it expires. */
  authorization(): Promise<string> {
    return this.tokens.token();
  }

  /** Forgets the token: the engine refused it, the next call gets a new one. */
  forgetToken(): void {
    this.tokens.drop();
  }

  /** The keep-alive agent for a URL of the engine. */
  agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.agents.https : this.agents.http;
  }
}

/** The engine's refusal in an answer, as the plug-in answers it to the API server. */
async function refusalIn(answer: EngineHttpAnswer): Promise<PluginError> {
  const { status, code, message, explained } = refusalOf(
    answer.status,
    answer.headers.get('retry-after'),
    await answer.text(),
  );
  return refusal(status, explained ? { code, message } : undefined);
}

/** A failed call as the plug-in answers it to the API server. */
function asPluginError(err: unknown): unknown {
  if (err instanceof EngineRefusal)
    return refusal(
      err.status,
      err.explained ? { code: err.code, message: err.message } : undefined,
    );
  if (err instanceof EngineContractError)
    return new PluginError(
      Code.INTERNAL,
      'engine answer unexpected',
      `the engine's answer to ${err.operationId} does not match its contract`,
    );
  return err;
}
