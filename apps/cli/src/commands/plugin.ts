import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { engineApi } from '@keyhaven/contracts';
import { info, isJson, ok, printJson, table, type OutputOptions } from '../output.ts';
import { findCluster } from '../resolve.ts';
import { apiOf, listingOptions, withExamples } from './common.ts';

/**
 * `keyhaven ks cluster plugin-setup|plugin-keys|plugin-key-rm|plugin-rm`: a connected cluster's
 * KMS plug-ins, their setup files and API keys (issues 16 and 25).
 */
export function pluginCommands(cluster: Command) {
  withExamples(
    cluster
      .command('plugin-rm')
      .description(
        'Remove a KMS plug-in that stopped reporting (its API server is gone) and revoke its API keys',
      ),
    ['keyhaven ks cluster plugin-rm -c prod-eu --resource apiserver-2'],
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .requiredOption('--resource <name>', 'the plug-in, as `cluster get` lists it')
    .option('-q, --quiet', 'print only errors')
    .action(
      async (options: OutputOptions & { cluster: string; resource: string }, command: Command) => {
        const api = apiOf(command);
        const found = await findCluster(api, options.cluster);
        info(options, `Removing KMS plug-in ${options.resource} of ${found.name}...`);
        await api.call(engineApi.removeKmsPlugin, {
          params: { id: found.id, resource: options.resource },
        });
        ok(options);
      },
    );
  listingOptions(
    withExamples(
      cluster
        .command('plugin-keys')
        .description(
          "List the API keys of the cluster's KMS plug-in and the API server each serves",
        ),
      ['keyhaven ks cluster plugin-keys -c prod-eu'],
    ),
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .action(async (options: OutputOptions & { cluster: string }, command: Command) => {
      const api = apiOf(command);
      const found = await findCluster(api, options.cluster);
      info(options, `Retrieving the KMS plug-in's API keys of ${found.name}...`);
      const keys = await api.call(engineApi.listKmsPluginKeys, { params: { id: found.id } });
      if (isJson(options)) return printJson(keys);
      ok(options);
      process.stdout.write(
        table(
          ['ID', 'Name', 'Serves', 'Created'],
          keys.map((k) => [k.id, k.name, k.resource ?? '(not used yet)', k.createdAt]),
        ),
      );
    });
  withExamples(
    cluster
      .command('plugin-key-rm')
      .description("Revoke an API key of the cluster's KMS plug-in (its plug-in stops working)"),
    ['keyhaven ks cluster plugin-key-rm -c prod-eu --key <API key ID>'],
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .requiredOption('--key <id>', 'the API key, as plugin-keys lists it')
    .option('-q, --quiet', 'print only errors')
    .action(async (options: OutputOptions & { cluster: string; key: string }, command: Command) => {
      const api = apiOf(command);
      const found = await findCluster(api, options.cluster);
      info(options, `Revoking API key ${options.key} of the KMS plug-in of ${found.name}...`);
      await api.call(engineApi.revokeKmsPluginKey, {
        params: { id: found.id, keyId: options.key },
      });
      ok(options);
    });
  withExamples(
    cluster
      .command('plugin-setup')
      .description(
        "Write the cluster's EncryptionConfiguration and KMS plug-in configuration (with a new API key) to a directory",
      ),
    ['keyhaven ks cluster plugin-setup -c prod-eu --dir ./keyhaven-kms'],
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .requiredOption('--dir <directory>', 'where to write the two files (made 0700)')
    .option('-q, --quiet', 'print only errors')
    .action(async (options: OutputOptions & { cluster: string; dir: string }, command: Command) => {
      const api = apiOf(command);
      const found = await findCluster(api, options.cluster);
      info(options, `Making an API key for the KMS plug-in of ${found.name}...`);
      const setup = await api.call(engineApi.setUpKmsPlugin, { params: { id: found.id } });
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      chmodSync(options.dir, 0o700);
      const encryption = join(options.dir, 'encryption-configuration.yaml');
      const plugin = join(options.dir, 'kmsplugin-config.yaml');
      writeFileSync(encryption, setup.encryptionConfiguration, { mode: 0o600 });
      // It holds the API key: private to its owner from the start.
      writeFileSync(plugin, setup.pluginConfig, { mode: 0o600 });
      chmodSync(plugin, 0o600);
      ok(options);
      process.stdout.write(
        `Wrote ${encryption} (the API server's --encryption-provider-config)\n` +
          `Wrote ${plugin} (API key ${setup.apiKeyId}; run: npm run kms-plugin -- --config ${plugin})\n`,
      );
    });
}
