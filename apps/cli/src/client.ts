import type { z } from 'zod';
import { ErrorBody, TokenResponse, type TokenRequest } from '@keyhaven/contracts';
import { checkApiUrl, readConfig, writeConfig, type CliConfig } from './config.ts';
import { CliError } from './errors.ts';

interface Call {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A token that expires within this many seconds is renewed before the call. */
const EXPIRY_MARGIN_SECONDS = 30;

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new CliError(`The Keyhaven API at ${new URL(url).origin} cannot be reached.`);
  }
}

/** The engine's refusal as a CLI error carrying its message (a 403 names the role, a 409 why). */
async function refusal(response: Response): Promise<CliError> {
  const body = ErrorBody.safeParse(await response.json().catch(() => undefined));
  if (!body.success)
    return new CliError(`The Keyhaven API answered ${response.status} without an explanation.`);
  const hint = response.status === 401 ? ' Run `keyhaven login`.' : '';
  return new CliError(`${body.data.message}${hint}`, 1, body.data.code);
}

/** Asks the engine for a token: an API key or a password exchanged at /identity/token. */
export async function requestToken(apiUrl: string, grant: TokenRequest) {
  const response = await request(`${apiUrl}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(grant as Record<string, string>),
  });
  if (!response.ok) throw await refusal(response);
  const token = TokenResponse.safeParse(await response.json());
  if (!token.success) throw new CliError('The Keyhaven API sent an unexpected token answer.');
  return token.data;
}

/** The engine's HTTP API as the logged-in user; every answer is checked against its contract. */
export class EngineApi {
  private constructor(private config: CliConfig) {}

  /**
   * The API of the session `keyhaven login` left. Its token (and API key) belong to the URL it
   * logged in to: a flag or KEYHAVEN_API_URL naming another is refused, never sent them.
   */
  static fromConfig(apiUrl?: string): EngineApi {
    const config = readConfig();
    if (!config?.token) throw new CliError('You are not logged in. Run `keyhaven login` first.');
    const saved = checkApiUrl(config.apiUrl);
    if (apiUrl !== undefined && checkApiUrl(apiUrl) !== saved)
      throw new CliError(
        `You are logged in to ${saved}, not ${checkApiUrl(apiUrl)}: run \`keyhaven login --api-url ${checkApiUrl(apiUrl)}\` to use that API. The saved session is never sent anywhere else.`,
        2,
      );
    return new EngineApi(config);
  }

  get apiUrl(): string {
    return this.config.apiUrl;
  }

  /** The bearer token, re-requested with the kept API key when it is about to expire. */
  private async token(): Promise<string> {
    const { token, expiration = 0, apikey } = this.config;
    if (token && expiration - EXPIRY_MARGIN_SECONDS > Date.now() / 1000) return token;
    if (!apikey)
      throw new CliError('Your session has expired. Run `keyhaven login` to log in again.');
    const renewed = await requestToken(this.config.apiUrl, {
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      apikey,
    });
    this.config = { ...this.config, token: renewed.access_token, expiration: renewed.expiration };
    writeConfig(this.config);
    return renewed.access_token;
  }

  async call(path: string, call: Call = {}): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await this.token()}`,
      ...call.headers,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(`${this.config.apiUrl}${path}`, {
      method: call.method ?? 'GET',
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      ...(call.signal && { signal: call.signal }),
    });
    if (!response.ok) throw await refusal(response);
    return response;
  }

  async json<T extends z.ZodType>(schema: T, path: string, call: Call = {}): Promise<z.infer<T>> {
    const response = await this.call(path, call);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new CliError(`The Keyhaven API sent an unexpected answer for ${path}.`);
    return parsed.data;
  }

  async send(path: string, call: Call = {}): Promise<void> {
    await this.call(path, call);
  }
}
