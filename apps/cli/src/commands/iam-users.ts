import type { Command } from 'commander';
import {
  AccessPolicyRequest,
  accessPolicyShape,
  engineApi,
  type AccessPolicy,
  type User,
} from '@keyhaven/contracts';
import type { EngineApi } from '../client.ts';
import { CliError } from '../errors.ts';
import { info, isJson, ok, printJson, table, type OutputOptions } from '../output.ts';
import { ask } from '../prompt.ts';
import { apiOf, listingOptions, withExamples } from './common.ts';

const grants = (u: User) =>
  [
    ...u.platformRoles.map(
      (g) => `${g.role} on ${g.clusterId === '*' ? 'every cluster' : g.clusterId}`,
    ),
    ...u.serviceRoles.map(
      (g) => `${g.role} on ${g.instanceId === '*' ? 'every instance' : g.instanceId}`,
    ),
  ].join(', ') || '-';

const userTable = (users: User[]) =>
  table(
    ['Username', 'ID', 'Roles', 'Invited'],
    users.map((u) => [
      u.username,
      u.id,
      grants(u),
      u.createdAt ? `${u.createdAt.slice(0, 10)} by ${u.createdBy}` : '-',
    ]),
  );

const attribute = (p: AccessPolicy, name: string) =>
  p.resources[0]?.attributes.find((a) => a.name === name)?.value;

function accessTable(policies: AccessPolicy[], users: User[]) {
  const nameOf = new Map(users.map((u) => [u.id, u.username]));
  return table(
    ['ID', 'User', 'Role', 'Service', 'Resource'],
    policies.map((p) => {
      const userId = p.subjects[0]?.attributes[0]?.value ?? '';
      return [
        p.id,
        nameOf.get(userId) ?? userId,
        p.roles[0]?.role_id ?? '',
        attribute(p, 'serviceName') ?? '',
        attribute(p, 'serviceInstance') ?? 'all',
      ];
    }),
  );
}

/** A user of the account by username or id. */
async function userNamed(api: EngineApi, name: string): Promise<User> {
  const { users } = await api.call(engineApi.listUsers, {});
  const user = users.find((u) => u.username === name.toLowerCase() || u.id === name);
  if (!user) throw new CliError(`No user ${name} in the account: see keyhaven iam user ls.`);
  return user;
}

/** `keyhaven iam user ls|invite|remove`: the account's users (account Administrators). */
function userCommands(iam: Command) {
  const user = withExamples(iam.command('user').description("The account's users"), [
    'keyhaven iam user ls',
    'keyhaven iam user invite second-manager',
  ]);
  listingOptions(
    withExamples(user.command('ls').description("List the account's users and their roles"), [
      'keyhaven iam user ls --output json',
    ]),
  ).action(async (options: OutputOptions, command: Command) => {
    info(options, 'Retrieving users...');
    const { users } = await apiOf(command).call(engineApi.listUsers, {});
    if (isJson(options)) return printJson(users);
    ok(options);
    process.stdout.write(userTable(users));
  });
  listingOptions(
    withExamples(
      user
        .command('invite <username>')
        .description('Add a user with no roles; the first password is asked for, never a flag'),
      [
        'keyhaven iam user invite second-manager',
        'echo "$FIRST_PASSWORD" | keyhaven iam user invite ci-bot',
      ],
    ),
  ).action(async (username: string, options: OutputOptions, command: Command) => {
    const password = await ask(`First password for ${username} (at least 12 characters): `, {
      hidden: true,
    });
    const made = await apiOf(command).call(engineApi.createUser, { body: { username, password } });
    if (isJson(options)) return printJson(made);
    ok(options);
    process.stdout.write(
      `Invited ${made.username} (${made.id}). Grant roles with keyhaven iam access-policy create.\n`,
    );
  });
  listingOptions(
    withExamples(user.command('remove <user>').description('Remove a user (username or id)'), [
      'keyhaven iam user remove second-manager',
    ]),
  ).action(async (name: string, options: OutputOptions, command: Command) => {
    const api = apiOf(command);
    const found = await userNamed(api, name);
    await api.call(engineApi.deleteUser, { params: { id: found.id } });
    if (isJson(options)) return printJson({ removed: found.id });
    ok(options);
    process.stdout.write(`Removed ${found.username} from the account.\n`);
  });
}

interface GrantOptions extends OutputOptions {
  instanceId?: string;
  cluster?: string;
}

/** `keyhaven iam access-policy ls|create|delete`: roles of the account's users. */
function accessPolicyCommands(iam: Command) {
  const access = withExamples(
    iam
      .command('access-policy')
      .description("Access policies: users' roles on instances and clusters"),
    [
      'keyhaven iam access-policy ls',
      'keyhaven iam access-policy create second-manager Manager --instance-id kp-us-south',
    ],
  );
  listingOptions(
    withExamples(access.command('ls').description('List access policies'), [
      'keyhaven iam access-policy ls --user approver',
    ]),
  )
    .option('--user <user>', "only this user's (username or id)")
    .action(async (options: OutputOptions & { user?: string }, command: Command) => {
      const api = apiOf(command);
      const user = options.user ? await userNamed(api, options.user) : undefined;
      const { policies } = await api.call(engineApi.listAccessPolicies, {
        query: user ? { iam_id: user.id } : {},
      });
      if (isJson(options)) return printJson(policies);
      const { users } = await api.call(engineApi.listUsers, {});
      ok(options);
      process.stdout.write(accessTable(policies, users));
    });
  listingOptions(
    withExamples(
      access
        .command('create <user> <role>')
        .description(
          'Grant a role: Reader, Writer or Manager on a KMS instance (--instance-id), Viewer, Operator, Editor or Administrator on a cluster (--cluster); "*" for all',
        ),
      [
        'keyhaven iam access-policy create second-manager Manager --instance-id kp-us-south',
        "keyhaven iam access-policy create ops-lead Administrator --cluster '*'",
      ],
    ),
  )
    .option('--instance-id <id>', 'a KMS instance ("*": every instance of the account)')
    .option('--cluster <id>', 'a cluster ("*": every cluster of the account)')
    .action(async (name: string, role: string, options: GrantOptions, command: Command) => {
      if ((options.instanceId === undefined) === (options.cluster === undefined))
        throw new CliError('Give one of --instance-id or --cluster.', 2);
      const api = apiOf(command);
      const user = await userNamed(api, name);
      const input = AccessPolicyRequest.safeParse(
        accessPolicyShape(
          user.id,
          options.instanceId ? 'kms' : 'containers-kubernetes',
          role,
          options.instanceId ?? options.cluster,
        ),
      );
      if (!input.success)
        throw new CliError(input.error.issues.map((i) => i.message).join('\n'), 2);
      const made = await api.call(engineApi.createAccessPolicy, { body: input.data });
      if (isJson(options)) return printJson(made);
      ok(options);
      process.stdout.write(accessTable([made], [user]));
    });
  listingOptions(
    withExamples(access.command('delete <id>').description('Revoke an access policy'), [
      'keyhaven iam access-policy delete <id>',
    ]),
  ).action(async (id: string, options: OutputOptions, command: Command) => {
    await apiOf(command).call(engineApi.deleteAccessPolicy, { params: { id } });
    if (isJson(options)) return printJson({ deleted: id });
    ok(options);
    process.stdout.write(`Revoked access policy ${id}.\n`);
  });
}

export function iamUserCommands(iam: Command) {
  userCommands(iam);
  accessPolicyCommands(iam);
}
