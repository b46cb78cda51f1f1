import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { engineApi } from '@keyhaven/contracts';
import { CliError } from '../errors.ts';
import { info, isJson, ok, printJson, type OutputOptions } from '../output.ts';
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

/** `keyhaven ks cluster connect|disconnect`: connected clusters (issue 16). */
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
      const connected = await api.call(engineApi.connectCluster, {
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
      await api.call(engineApi.disconnectCluster, { params: { id: found.id } });
      ok(options);
    });
}
