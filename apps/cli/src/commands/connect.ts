import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command } from 'commander';
import { ApiKeyList, Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import { CliError } from '../errors.ts';
import { info, isJson, ok, printJson, table, type OutputOptions } from '../output.ts';
import { clusterDetails } from '../present.ts';
import { findCluster } from '../resolve.ts';
import { apiOf, listingOptions, withExamples } from './common.ts';

/** A file's text; secrets come from files, never from the command line (ps shows arguments). */
function readText(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8').trim();
  } catch (err) {
    throw new CliError(
      `${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      2,
    );
  }
}

interface ConnectOptions extends OutputOptions {
  name: string;
  server: string;
  caFile: string;
  tokenFile: string;
  etcdEndpoints?: string;
  etcdCaFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

function etcdAccess(options: ConnectOptions) {
  const given = [
    options.etcdEndpoints,
    options.etcdCaFile,
    options.etcdCertFile,
    options.etcdKeyFile,
  ];
  if (given.every((v) => v === undefined)) return undefined;
  if (given.some((v) => v === undefined))
    throw new CliError(
      'etcd access needs all of --etcd-endpoints, --etcd-ca-file, --etcd-cert-file and --etcd-key-file.',
      2,
    );
  return {
    endpoints: (options.etcdEndpoints ?? '').split(',').map((e) => e.trim()),
    caCertificate: readText(options.etcdCaFile ?? '', '--etcd-ca-file'),
    clientCertificate: readText(options.etcdCertFile ?? '', '--etcd-cert-file'),
    clientKey: readText(options.etcdKeyFile ?? '', '--etcd-key-file'),
  };
}

/** `keyhaven ks cluster connect|disconnect|plugin-setup`: connected clusters (issue 16). */
export function connectionCommands(cluster: Command) {
  listingOptions(
    withExamples(
      cluster
        .command('connect')
        .description(
          'Connect a Kubernetes cluster: its API server URL, CA certificate and a service-account token that may list, get and update Secrets',
        ),
      [
        'keyhaven ks cluster connect --name prod-eu --server https://10.0.0.5:6443 --ca-file ca.crt --token-file token',
        'kubectl create token keyhaven | keyhaven ks cluster connect --name prod-eu --server https://10.0.0.5:6443 --ca-file ca.crt --token-file -',
      ],
    ),
  )
    .requiredOption('--name <name>', "the cluster's name in Keyhaven")
    .requiredOption('--server <url>', "the API server's https:// URL")
    .requiredOption('--ca-file <file>', "the CA certificate (PEM) that signed the API server's")
    .requiredOption('--token-file <file>', 'the service-account token (- reads standard input)')
    .option('--etcd-endpoints <urls>', 'etcd client URLs, comma-separated (for Verify only)')
    .option('--etcd-ca-file <file>', "etcd's CA certificate (PEM)")
    .option('--etcd-cert-file <file>', 'an etcd client certificate (PEM)')
    .option('--etcd-key-file <file>', "that certificate's key (PEM)")
    .action(async (options: ConnectOptions, command: Command) => {
      const api = apiOf(command);
      const etcd = etcdAccess(options);
      info(options, `Connecting ${options.server} as ${options.name}...`);
      const connected = await api.json(Cluster, '/v2/clusters', {
        method: 'POST',
        body: {
          name: options.name,
          server: options.server,
          caCertificate: readText(options.caFile, '--ca-file'),
          token: readText(options.tokenFile, '--token-file'),
          ...(etcd && { etcd }),
        },
      });
      if (isJson(options)) return printJson(connected);
      ok(options);
      process.stdout.write('\n' + clusterDetails(connected));
    });
  withExamples(
    cluster
      .command('disconnect')
      .description('Disconnect a connected cluster (refused while KMS is enabled)'),
    ['keyhaven ks cluster disconnect -c prod-eu'],
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .option('-q, --quiet', 'print only errors')
    .action(async (options: OutputOptions & { cluster: string }, command: Command) => {
      const api = apiOf(command);
      const found = await findCluster(api, options.cluster);
      info(options, `Disconnecting cluster ${found.name}...`);
      await api.send(`/v2/clusters/${encodeURIComponent(found.id)}`, { method: 'DELETE' });
      ok(options);
    });
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
        await api.send(
          `/v2/clusters/${encodeURIComponent(found.id)}/plugin-reports/${encodeURIComponent(options.resource)}`,
          { method: 'DELETE' },
        );
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
      const keys = await api.json(
        ApiKeyList,
        `/v2/clusters/${encodeURIComponent(found.id)}/kms-plugin-keys`,
      );
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
      await api.send(
        `/v2/clusters/${encodeURIComponent(found.id)}/kms-plugin-keys/${encodeURIComponent(options.key)}`,
        { method: 'DELETE' },
      );
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
      const setup = await api.json(
        KmsPluginSetup,
        `/v2/clusters/${encodeURIComponent(found.id)}/kms-plugin-setup`,
        { method: 'POST' },
      );
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
