import { type Command } from 'commander';
import { engineApi } from '@keyhaven/contracts';
import { info, isJson, ok, printJson, type OutputOptions } from '../output.ts';
import { clusterDetails, clusterTable, instanceTable, rootKeyTable } from '../present.ts';
import { findCluster } from '../resolve.ts';
import { waitForReady } from '../wait.ts';
import { apiOf, listingOptions, onInstance, withExamples } from './common.ts';
import { connectionCommands } from './connect.ts';
import { pluginCommands } from './plugin.ts';

/** `keyhaven ks kms …`: the seeds' KMS flow (instance ls, crk ls, enable). */
function kmsCommands(ks: Command) {
  const kms = withExamples(
    ks.command('kms').description('Key management service (KMS) providers for clusters'),
    ['keyhaven ks kms instance ls', 'keyhaven ks kms enable --help'],
  );
  const instance = withExamples(kms.command('instance').description('KMS instances'), [
    'keyhaven ks kms instance ls',
  ]);
  listingOptions(
    withExamples(instance.command('ls').description('List the KMS instances you can read'), [
      'keyhaven ks kms instance ls',
      'keyhaven ks kms instance ls --output json',
    ]),
  ).action(async (options: OutputOptions, command: Command) => {
    const api = apiOf(command);
    info(options, 'Retrieving KMS instances...');
    const { instances } = await api.call(engineApi.listKmsInstances, {});
    if (isJson(options)) return printJson(instances);
    ok(options);
    process.stdout.write(instanceTable(instances));
  });
  const crk = withExamples(
    kms.command('crk').description('Customer root keys (CRKs) of a KMS instance'),
    ['keyhaven ks kms crk ls --instance-id kp-us-south'],
  );
  listingOptions(
    withExamples(crk.command('ls').description("List a KMS instance's root keys"), [
      'keyhaven ks kms crk ls --instance-id kp-us-south',
    ]),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .action(async (options: OutputOptions & { instanceId: string }, command: Command) => {
      const api = apiOf(command);
      info(options, `Retrieving root keys of ${options.instanceId}...`);
      const keys = await api.call(engineApi.listKeys, onInstance(options));
      if (isJson(options)) return printJson(keys.resources);
      ok(options);
      process.stdout.write(rootKeyTable(keys.resources));
    });
  enableCommand(kms);
}

interface EnableOptions extends OutputOptions {
  cluster: string;
  instanceId: string;
  crk: string;
  publicEndpoint?: boolean;
  kmsAccountId?: string;
  wait?: boolean;
  timeout: string;
}

function enableCommand(kms: Command) {
  const command = withExamples(
    kms
      .command('enable')
      .description(
        'Enable KMS on a cluster, or update it to another instance or root key (private service endpoint by default)',
      ),
    [
      'keyhaven ks kms enable -c prod-us-south --instance-id kp-us-south --crk <root_key_ID>',
      'keyhaven ks kms enable -c prod-us-south --instance-id kp-us-south --crk <root_key_ID> --wait',
      'keyhaven ks kms enable -c prod-us-south --instance-id kp-partner-eu-de --crk <root_key_ID> --kms-account-id acct-partner',
    ],
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .requiredOption('--crk <root_key_id>', 'the root key')
    .option('--public-endpoint', "use the KMS instance's public service endpoint")
    .option('--kms-account-id <account>', 'the account of a KMS instance in another account')
    .option('--wait', 'follow the enablement until the master is Ready')
    .option('--timeout <seconds>', 'with --wait: how long to wait', '1800');
  listingOptions(command).action(async (options: EnableOptions, command: Command) => {
    const api = apiOf(command);
    const cluster = await findCluster(api, options.cluster);
    info(options, `Enabling KMS on cluster ${cluster.name}...`);
    const accepted = await api.call(engineApi.enableKms, {
      body: {
        cluster: cluster.id,
        instance_id: options.instanceId,
        crk_id: options.crk,
        private_endpoint: !options.publicEndpoint,
        ...(options.kmsAccountId && { account_id: options.kmsAccountId }),
      },
    });
    if (!options.wait) return isJson(options) ? printJson(accepted) : ok(options);
    const timeoutMs = Math.max(1, Number(options.timeout) || 1800) * 1000;
    await waitForReady(api, cluster.id, { timeoutMs, quiet: options.quiet || isJson(options) });
    const ready = await api.call(engineApi.getCluster, { params: { id: cluster.id } });
    if (isJson(options)) return printJson(ready);
    ok(options);
    process.stdout.write(clusterDetails(ready));
  });
}

/** `keyhaven ks cluster ls|get`. */
function clusterCommands(ks: Command) {
  const cluster = withExamples(ks.command('cluster').description('Clusters'), [
    'keyhaven ks cluster ls',
    'keyhaven ks cluster get -c prod-us-south',
  ]);
  listingOptions(
    withExamples(cluster.command('ls').description('List the clusters you can view'), [
      'keyhaven ks cluster ls',
    ]),
  ).action(async (options: OutputOptions, command: Command) => {
    const api = apiOf(command);
    info(options, 'Retrieving clusters...');
    const clusters = await api.call(engineApi.listClusters, {});
    if (isJson(options)) return printJson(clusters);
    ok(options);
    process.stdout.write(clusterTable(clusters));
  });
  listingOptions(
    withExamples(cluster.command('get').description("A cluster's details, Master Status and KMS"), [
      'keyhaven ks cluster get -c prod-us-south',
      'keyhaven ks cluster get -c prod-us-south --output json',
    ]),
  )
    .requiredOption('-c, --cluster <name_or_id>', 'the cluster')
    .action(async (options: OutputOptions & { cluster: string }, command: Command) => {
      const api = apiOf(command);
      info(options, `Retrieving cluster ${options.cluster}...`);
      const details = await findCluster(api, options.cluster);
      if (isJson(options)) return printJson(details);
      ok(options);
      process.stdout.write('\n' + clusterDetails(details));
    });
  connectionCommands(cluster);
  pluginCommands(cluster);
}

export function ksCommands(program: Command) {
  const ks = withExamples(
    program.command('ks').description('Kubernetes Service: clusters and their KMS'),
    ['keyhaven ks cluster ls', 'keyhaven ks kms instance ls'],
  );
  kmsCommands(ks);
  clusterCommands(ks);
}
