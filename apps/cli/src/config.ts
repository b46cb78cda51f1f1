import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError } from './errors.ts';

/** What `keyhaven login` keeps: where the engine is and the session's token. */
export const CliConfig = z.object({
  apiUrl: z.string(),
  token: z.string().optional(),
  /** Seconds since the epoch when the token expires. */
  expiration: z.number().optional(),
  /** Kept (0600) only after an API-key login, so an expired token is re-requested by itself. */
  apikey: z.string().optional(),
  username: z.string().optional(),
});
export type CliConfig = z.infer<typeof CliConfig>;

export const DEFAULT_API_URL = 'http://127.0.0.1:8081';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The API URL as the CLI keeps and compares it, or why it is refused: https, or http to this
 * machine only (a token or API key sent in the clear across a network can be read on the way).
 */
export function checkApiUrl(given: string): string {
  const url = URL.parse(given.trim());
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new CliError(`The API URL ${given} is not an http(s) URL.`, 2);
  if (url.username || url.password)
    throw new CliError('The API URL must not hold a user name or password.', 2);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    throw new CliError(
      `The API URL ${url.origin} is plain http to another machine: use https:// (http only to 127.0.0.1, ::1 or localhost).`,
      2,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
/** The folder of the config file: $KEYHAVEN_CONFIG_DIR, else $XDG_CONFIG_HOME/keyhaven. */
export function configDir(env = process.env): string {
  if (env.KEYHAVEN_CONFIG_DIR) return env.KEYHAVEN_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'keyhaven');
}

const configFile = (env = process.env) => join(configDir(env), 'config.json');

export function readConfig(env = process.env): CliConfig | undefined {
  let text: string;
  try {
    text = readFileSync(configFile(env), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = CliConfig.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Writes the config with the token in it: the folder 0700, the file 0600, from the first byte. */
export function writeConfig(config: CliConfig, env = process.env): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = configFile(env);
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function removeConfig(env = process.env): void {
  rmSync(configFile(env), { force: true });
}
