import type { Command } from 'commander';
import {
  AuthorizationPolicyCreate,
  engineApi,
  providerLabel,
  type AuthorizationPolicy,
  sourceServiceLabel,
} from '@keyhaven/contracts';
import { CliError } from '../errors.ts';
import { info, isJson, ok, printJson, table, type OutputOptions } from '../output.ts';
import { apiOf, listingOptions, withExamples } from './common.ts';
import { iamUserCommands } from './iam-users.ts';

function policyTable(policies: AuthorizationPolicy[]): string {
  return table(
    ['ID', 'Source', 'Target', 'Roles', 'Used by'],
    policies.map((p) => [
      p.id,
      `${sourceServiceLabel} (account ${p.source.accountId})`,
      `${providerLabel[p.target.serviceName]}: ${p.target.instanceName ?? 'all instances'} (account ${p.target.accountId})`,
      p.roles.join(', ') + (p.delegation ? ' (delegable)' : ''),
      p.dependents.map((d) => d.name).join(', ') || '-',
    ]),
  );
}

interface CreateOptions extends OutputOptions {
  sourceServiceAccount?: string;
  targetServiceInstanceId?: string;
  delegation?: boolean;
}

/**
 * `keyhaven iam authorization-policy ls|create|delete`: service-to-service authorizations; and
 * `iam user`, `iam access-policy`: the account's users and their roles.
 */
export function iamCommands(program: Command) {
  const iam = withExamples(program.command('iam').description('Identity and access'), [
    'keyhaven iam authorization-policy ls',
    'keyhaven iam user ls',
  ]);
  iamUserCommands(iam);
  const policy = withExamples(
    iam
      .command('authorization-policy')
      .description('Service-to-service authorizations: Kubernetes Service may use a KMS instance'),
    ['keyhaven iam authorization-policy ls', 'keyhaven iam authorization-policy create --help'],
  );
  listingOptions(
    withExamples(policy.command('ls').description('Authorizations from or to your account'), [
      'keyhaven iam authorization-policy ls --output json',
    ]),
  ).action(async (options: OutputOptions, command: Command) => {
    const api = apiOf(command);
    info(options, 'Retrieving authorization policies...');
    const policies = await api.call(engineApi.listAuthorizations, {});
    if (isJson(options)) return printJson(policies);
    ok(options);
    process.stdout.write(policyTable(policies));
  });
  listingOptions(
    withExamples(
      policy
        .command('create <source_service> <target_service> <roles>')
        .description(
          'Authorize a source service (containers-kubernetes) to use a KMS service: roles comma-separated, Reader at least',
        ),
      [
        'keyhaven iam authorization-policy create containers-kubernetes key-protect Reader --target-service-instance-id kp-us-south',
        'keyhaven iam authorization-policy create containers-kubernetes key-protect Reader --source-service-account acct-partner',
      ],
    ),
  )
    .option('--source-service-account <account>', "the clusters' account, when it is another one")
    .option('--target-service-instance-id <id>', 'one instance (default: every instance)')
    .option('--delegation', 'the source and dependent services may delegate the access')
    .action(
      async (source: string, target: string, roles: string, options: CreateOptions, command) => {
        const input = AuthorizationPolicyCreate.safeParse({
          source: {
            serviceName: source,
            ...(options.sourceServiceAccount && { accountId: options.sourceServiceAccount }),
          },
          target: {
            serviceName: target,
            ...(options.targetServiceInstanceId && { instanceId: options.targetServiceInstanceId }),
          },
          roles: roles.split(',').map((r) => r.trim()),
          delegation: options.delegation === true,
        });
        if (!input.success)
          throw new CliError(
            input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'),
            2,
          );
        const created = await apiOf(command as Command).call(engineApi.createAuthorization, {
          body: input.data,
        });
        if (isJson(options)) return printJson(created);
        ok(options);
        process.stdout.write(policyTable([created]));
      },
    );
  withExamples(
    policy
      .command('delete <id>')
      .description('Delete an authorization; clusters relying on it turn to a warning'),
    [
      'keyhaven iam authorization-policy delete <id>',
      'keyhaven iam authorization-policy delete <id> --force',
    ],
  )
    .option('-f, --force', 'delete even if clusters rely on it')
    .option('-q, --quiet', 'print only errors')
    .action(async (id: string, options: OutputOptions & { force?: boolean }, command: Command) => {
      const api = apiOf(command);
      const found = (await api.call(engineApi.listAuthorizations, {})).find((p) => p.id === id);
      if (!found) throw new CliError(`Authorization ${id} was not found.`);
      const names = found.dependents.map((d) => d.name);
      if (names.length > 0 && !options.force)
        throw new CliError(
          `${names.join(', ')} rel${names.length === 1 ? 'ies' : 'y'} on this authorization: deleting it turns ${names.length === 1 ? 'its' : 'their'} master status to a warning. Pass --force to delete it anyway.`,
        );
      await api.call(engineApi.deleteAuthorization, { params: { id } });
      ok(options);
      info(options, `Deleted authorization ${id}.`);
    });
}
