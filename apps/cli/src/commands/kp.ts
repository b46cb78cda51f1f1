import type { Command } from 'commander';
import { KEY_MEDIA_TYPE, engineApi, type RootKey, type RootKeyAction } from '@keyhaven/contracts';
import { CliError } from '../errors.ts';
import { info, isJson, ok, printJson, type OutputOptions } from '../output.ts';
import { rootKeyTable } from '../present.ts';
import { ask, isInteractive } from '../prompt.ts';
import { apiOf, listingOptions, onInstance, withExamples, type InstanceOptions } from './common.ts';
import { kpImportCommands, wrapKeyFile } from './kp-import.ts';
import { kpPolicyCommands } from './kp-policies.ts';

function onlyKey(collection: { resources: RootKey[] }): RootKey {
  const [key] = collection.resources;
  if (!key) throw new CliError('The Keyhaven API answered without the root key.');
  return key;
}

/** A root-key subcommand: `--instance-id` required, `--output json` and `-q` accepted. */
function keyCommand(keys: Command, name: string, description: string, examples: string[]) {
  return listingOptions(
    withExamples(keys.command(name).description(description), examples),
  ).requiredOption('--instance-id <id>', 'the KMS instance');
}

function printKey(options: OutputOptions, key: RootKey, what: string) {
  if (isJson(options)) return printJson(key);
  ok(options);
  process.stdout.write(`${what} root key ${key.name} (${key.id}).\n`);
}

/**
 * A key in use breaks its clusters when disabled (R7) or deleted (R8): the CLI names them and
 * needs --force, and on a terminal the key's name typed, as the console asks.
 */
async function confirmKeyInUse(key: RootKey, force: boolean | undefined, consequence: string) {
  const users = key.registrations.map((r) => r.clusterName);
  if (users.length > 0 && !force)
    throw new CliError(
      `Root key ${key.name} is used by ${users.join(', ')}. ${consequence}; pass --force to go on anyway.`,
    );
  if (users.length > 0 && isInteractive()) {
    const typed = await ask(`Type the root key's name (${key.name}) to go on: `);
    if (typed !== key.name) throw new CliError('The name does not match; nothing was changed.');
  }
}

/** Rotate (R6), disable (R7) or enable a root key, then show it as it is now. */
function actionCommand(keys: Command, action: RootKeyAction, description: string) {
  const past = { rotate: 'Rotated', disable: 'Disabled', enable: 'Enabled' }[action];
  const command = keyCommand(keys, `${action} <key_id>`, description, [
    `keyhaven kp keys ${action} <key_id> --instance-id kp-us-south`,
  ]);
  if (action === 'disable')
    command.option(
      '-f, --force',
      'disable even if clusters use the key (they cannot read secrets)',
    );
  command.action(
    async (keyId: string, options: InstanceOptions & { force?: boolean }, cmd: Command) => {
      const api = apiOf(cmd);
      const call = { params: { id: keyId }, ...onInstance(options) };
      if (action === 'disable')
        await confirmKeyInUse(
          onlyKey(await api.call(engineApi.getKey, call)),
          options.force,
          'Disabling it makes their secrets unreadable and their master status a warning until you enable it again',
        );
      await api.call(engineApi[`${action}Key`], call);
      const key = onlyKey(await api.call(engineApi.getKey, call));
      printKey(options, key, past);
    },
  );
}

/** Deleting is for good (R8): a key in use needs --force, and a terminal asks for its name. */
function deleteCommand(keys: Command) {
  keyCommand(keys, 'delete <key_id>', 'Delete a root key: its material is destroyed for good', [
    'keyhaven kp keys delete <key_id> --instance-id kp-us-south',
    'keyhaven kp keys delete <key_id> --instance-id kp-us-south --force   # even if clusters use it',
  ])
    .option('-f, --force', 'delete even if clusters use the key (their data becomes unrecoverable)')
    .action(async (keyId: string, options: InstanceOptions & { force?: boolean }, command) => {
      const api = apiOf(command as Command);
      const call = { params: { id: keyId }, ...onInstance(options) };
      const key = onlyKey(await api.call(engineApi.getKey, call));
      await confirmKeyInUse(key, options.force, 'Deleting it makes their data unrecoverable');
      const deleted = onlyKey(
        await api.call(engineApi.deleteKey, {
          ...call,
          query: { force: options.force ? 'true' : 'false' },
        }),
      );
      printKey(options, deleted, 'Deleted');
    });
}

/** `keyhaven kp keys …`: root keys of a KMS instance (Key Protect). */
export function kpCommands(program: Command) {
  const kp = withExamples(
    program.command('kp').description('Key Protect: root keys of a KMS instance'),
    ['keyhaven kp keys ls --instance-id kp-us-south'],
  );
  const keys = withExamples(kp.command('keys').description('Root keys'), [
    'keyhaven kp keys ls --instance-id kp-us-south',
    'keyhaven kp keys rotate <key_id> --instance-id kp-us-south',
  ]);
  keyCommand(keys, 'ls', "List an instance's root keys", [
    'keyhaven kp keys ls --instance-id kp-us-south',
  ]).action(async (options: InstanceOptions, command: Command) => {
    const api = apiOf(command);
    info(options, `Retrieving root keys of ${options.instanceId}...`);
    const { resources } = await api.call(engineApi.listKeys, onInstance(options));
    if (isJson(options)) return printJson(resources);
    ok(options);
    process.stdout.write(rootKeyTable(resources));
  });
  keyCommand(keys, 'create <name>', 'Create a root key', [
    'keyhaven kp keys create my-root-key --instance-id kp-us-south',
    'keyhaven kp keys create my-root-key --instance-id kp-us-south --expiration-date 2027-06-30',
    'keyhaven kp keys create my-root-key --instance-id kp-us-south --import key.bin   # bring your own key',
  ])
    .option('--expiration-date <date>', 'after it the key wraps and unwraps nothing (R9)')
    .option(
      '--import <file>',
      'import this key (16, 24 or 32 bytes, raw or base64), wrapped here under an import token',
    )
    .action(
      async (
        name: string,
        options: InstanceOptions & { expirationDate?: string; import?: string },
        command,
      ) => {
        const api = apiOf(command as Command);
        const expires = options.expirationDate && new Date(options.expirationDate);
        if (expires && Number.isNaN(expires.getTime()))
          throw new CliError(`--expiration-date ${options.expirationDate} is not a date.`, 2);
        const wrapped = options.import
          ? await wrapKeyFile(api, options.instanceId, options.import)
          : undefined;
        const created = await api.call(engineApi.createKey, {
          ...onInstance(options),
          body: {
            metadata: { collectionType: KEY_MEDIA_TYPE, collectionTotal: 1 },
            resources: [
              {
                type: KEY_MEDIA_TYPE,
                name,
                extractable: false,
                ...(expires && { expirationDate: expires.toISOString() }),
                ...wrapped,
              },
            ],
          },
        });
        printKey(options, onlyKey(created), wrapped ? 'Imported' : 'Created');
      },
    );
  actionCommand(
    keys,
    'rotate',
    'Rotate a root key: clusters using it re-encrypt under the new version',
  );
  actionCommand(keys, 'disable', 'Disable a root key: clusters using it cannot read secrets');
  actionCommand(keys, 'enable', 'Enable a disabled root key');
  deleteCommand(keys);
  kpPolicyCommands(kp);
  kpImportCommands(kp);
}
