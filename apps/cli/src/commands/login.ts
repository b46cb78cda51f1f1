import type { Command } from 'commander';
import { engineApi, type TokenRequest } from '@keyhaven/contracts';
import { EngineApi, requestToken, revokeToken } from '../client.ts';
import { DEFAULT_API_URL, checkApiUrl, readConfig, removeConfig, writeConfig } from '../config.ts';
import { info, ok, warn, type OutputOptions } from '../output.ts';
import { ask } from '../prompt.ts';
import { withExamples } from './common.ts';

interface LoginOptions extends OutputOptions {
  apikey?: string;
  username?: string;
}

/** The API key or password, from a flag, the environment, or a prompt that does not echo. */
async function grantOf(options: LoginOptions): Promise<TokenRequest> {
  if (options.username)
    return {
      grant_type: 'password',
      username: options.username,
      password: await ask('Password: ', { hidden: true }),
    };
  if (options.apikey !== undefined && options.apikey !== '-')
    warn(
      'An API key given with --apikey shows in the process list and shell history: prefer KEYHAVEN_APIKEY, `--apikey -` (read from standard input) or the prompt.',
    );
  const flag = options.apikey === '-' ? await ask('API key: ', { hidden: true }) : options.apikey;
  const apikey = flag ?? process.env.KEYHAVEN_APIKEY ?? (await ask('API key: ', { hidden: true }));
  return { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey };
}

export function loginCommands(program: Command) {
  withExamples(
    program
      .command('login')
      .description('Log in with an API key (or a username and password) and keep the session'),
    [
      'KEYHAVEN_APIKEY=khk_... keyhaven login --api-url http://127.0.0.1:8081',
      'keyhaven login --apikey - < apikey.txt',
      'keyhaven login --username admin      # asks for the password',
    ],
  )
    .option(
      '--apikey <key>',
      'an API key, or - to read it from standard input (else KEYHAVEN_APIKEY, else asked without echo)',
    )
    .option('-u, --username <name>', 'log in with a password instead (asked without echo)')
    .option('-q, --quiet', 'print only errors')
    .action(async (options: LoginOptions, command: Command) => {
      const { apiUrl: given } = command.optsWithGlobals<{ apiUrl?: string }>();
      const apiUrl = checkApiUrl(given ?? readConfig()?.apiUrl ?? DEFAULT_API_URL);
      info(options, `API endpoint: ${apiUrl}`);
      const grant = await grantOf(options);
      const token = await requestToken(apiUrl, grant);
      writeConfig({
        apiUrl,
        token: token.access_token,
        expiration: token.expiration,
        // Kept (0600) so that an expired token is re-requested without asking again.
        ...(grant.grant_type !== 'password' && { apikey: grant.apikey }),
      });
      const me = await EngineApi.fromConfig().call(engineApi.getMe, {});
      ok(options);
      info(options, `Logged in as ${me.username} (account ${me.accountId}).`);
    });

  withExamples(program.command('logout').description('Revoke the session token and forget it'), [
    'keyhaven logout',
  ])
    .option('-q, --quiet', 'print only errors')
    .action(async (options: OutputOptions) => {
      const config = readConfig();
      if (config?.token) {
        // A token that is already expired or revoked needs no revoking: forget it all the same.
        await revokeToken(config.apiUrl, config.token).catch(() => undefined);
      }
      removeConfig();
      if (config) writeConfig({ apiUrl: config.apiUrl });
      ok(options);
      info(options, config?.token ? 'Logged out.' : 'You were not logged in.');
    });
}
