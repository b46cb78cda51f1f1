import {
  EngineClient,
  EngineContractError,
  EngineRefusal,
  TokenKeeper,
  engineApi,
  type CallInput,
  type CallResult,
  type EngineHttpAnswer,
  type EngineTransport,
  type Operation,
  type TokenRequest,
} from '@keyhaven/contracts';
import { checkApiUrl, readConfig, writeConfig, type CliConfig } from './config.ts';
import { CliError } from './errors.ts';
import { httpTransport } from './transport.ts';

/** Sends the engine's exchanges to the API URL; an unreachable API says so. */
const transportTo =
  (apiUrl: string): EngineTransport =>
  async (request) => {
    try {
      return await httpTransport(apiUrl)(request);
    } catch (err) {
      if (request.signal?.aborted) throw err;
      throw new CliError(`The Keyhaven API at ${new URL(apiUrl).origin} cannot be reached.`);
    }
  };

/** The engine's refusal as a CLI error carrying its message (a 403 names the role, a 409 why). */
function asCliError(err: unknown): unknown {
  if (err instanceof EngineRefusal) {
    if (!err.explained)
      return new CliError(`The Keyhaven API answered ${err.status} without an explanation.`);
    const hint = err.status === 401 ? ' Run `keyhaven login`.' : '';
    return new CliError(`${err.message}${hint}`, 1, err.code);
  }
  if (err instanceof EngineContractError)
    return new CliError(`The Keyhaven API sent an unexpected answer to ${err.operationId}.`);
  return err;
}

/** Asks the engine for a token: an API key or a password exchanged at the IAM token endpoint. */
export function requestToken(apiUrl: string, grant: TokenRequest) {
  return new EngineClient(transportTo(apiUrl))
    .call(engineApi.createToken, { body: grant })
    .catch((err: unknown) => {
      throw asCliError(err);
    });
}

/** Revokes a token (logging out). */
export function revokeToken(apiUrl: string, token: string): Promise<void> {
  return new EngineClient(transportTo(apiUrl)).call(engineApi.revokeToken, { token });
}

/** The engine's HTTP API as the logged-in user; every answer is checked against its contract. */
export class EngineApi {
  private readonly client: EngineClient;

  private constructor(private readonly config: CliConfig) {
    const { token, expiration = 0, apikey } = config;
    const keeper = new TokenKeeper(
      async () => {
        if (!apikey)
          throw new CliError('Your session has expired. Run `keyhaven login` to log in again.');
        return requestToken(config.apiUrl, {
          grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
          apikey,
        });
      },
      token ? { value: token, expiration } : undefined,
      (renewed) => writeConfig({ ...config, token: renewed.value, expiration: renewed.expiration }),
    );
    this.client = new EngineClient(transportTo(config.apiUrl), { token: () => keeper.token() });
  }

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

  /** Calls an operation of the engine's API; a refusal becomes a CLI error with its message. */
  call<O extends Operation>(op: O, input: CallInput<O>): Promise<CallResult<O>> {
    return this.client.call(op, input).catch((err: unknown) => {
      throw asCliError(err);
    });
  }

  /** Opens a stream of the engine's API (a status watch). */
  open<O extends Operation>(op: O, input: CallInput<O>): Promise<EngineHttpAnswer> {
    return this.client.open(op, input).catch((err: unknown) => {
      throw asCliError(err);
    });
  }
}
