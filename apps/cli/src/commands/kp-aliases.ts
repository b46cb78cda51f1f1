import type { Command } from 'commander';
import { engineApi } from '@keyhaven/contracts';
import { isJson, ok, printJson } from '../output.ts';
import { apiOf, listingOptions, onInstance, withExamples, type InstanceOptions } from './common.ts';

type AliasOptions = InstanceOptions & { alias: string };

/**
 * `keyhaven kp key alias-create|alias-delete`: Key Protect's key aliases, usable wherever the
 * key's id is (`--crk` too).
 */
export function kpAliasCommands(key: Command) {
  const steps = [
    ['alias-create', 'createKeyAlias', 'Give a root key an alias (at most 5)', 'Added'],
    ['alias-delete', 'deleteKeyAlias', "Remove one of a root key's aliases", 'Removed'],
  ] as const;
  for (const [name, operation, description, done] of steps)
    listingOptions(
      withExamples(key.command(`${name} <key_id>`).description(description), [
        `keyhaven kp key ${name} <key_id> --alias payments-root --instance-id kp-us-south`,
      ]),
    )
      .requiredOption('--instance-id <id>', 'the KMS instance')
      .requiredOption('-a, --alias <alias>', '2 to 90 letters, digits, "-" or "_"')
      .action(async (keyId: string, options: AliasOptions, command: Command) => {
        await apiOf(command).call(engineApi[operation], {
          params: { id: keyId, alias: options.alias },
          ...onInstance(options),
        });
        if (isJson(options)) return printJson({ keyId, alias: options.alias });
        ok(options);
        process.stdout.write(
          `${done} the alias ${options.alias} ${done === 'Added' ? 'to' : 'from'} root key ${keyId}.\n`,
        );
      });
}
