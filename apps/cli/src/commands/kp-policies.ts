import { InvalidArgumentError, type Command } from 'commander';
import { engineApi, months, POLICY_MEDIA_TYPE, type KeyPolicy } from '@keyhaven/contracts';
import { isJson, ok, printJson, table, type OutputOptions } from '../output.ts';
import { apiOf, listingOptions, onInstance, withExamples, type InstanceOptions } from './common.ts';
import { kpAliasCommands } from './kp-aliases.ts';

/** `--interval-month`: Key Protect's 1 to 12. */
function intervalMonth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 12)
    throw new InvalidArgumentError('must be a whole number of months from 1 to 12.');
  return n;
}

function printPolicies(options: OutputOptions, policies: KeyPolicy[]) {
  if (isJson(options)) return printJson(policies);
  ok(options);
  if (policies.length === 0) return void process.stdout.write('No policies.\n');
  process.stdout.write(
    table(
      ['Type', 'Enabled', 'Interval', 'Updated by', 'Updated'],
      policies.map((p) => [
        p.rotation ? 'rotation' : 'dual authorization to delete',
        (p.rotation ?? p.dualAuthDelete)?.enabled ? 'yes' : 'no',
        p.rotation?.interval_month ? months(p.rotation.interval_month) : '-',
        p.updatedBy,
        p.lastUpdateDate.slice(0, 16).replace('T', ' '),
      ]),
    ),
  );
}

/**
 * `keyhaven kp key policies|policy-update|schedule-delete|cancel-delete`: a root key's rotation
 * and dual-authorization policies and the two steps of a dual-authorization delete, as Key
 * Protect's own CLI names them. The engine rotates the key when the policy is due, and every
 * cluster using it re-encrypts.
 */
export function kpPolicyCommands(kp: Command) {
  const key = withExamples(kp.command('key').description("One root key's policies"), [
    'keyhaven kp key policies <key_id> --instance-id kp-us-south',
    'keyhaven kp key policy-update rotation <key_id> --instance-id kp-us-south --interval-month 3',
  ]);
  listingOptions(
    withExamples(key.command('policies <key_id>').description("List a root key's policies"), [
      'keyhaven kp key policies <key_id> --instance-id kp-us-south',
    ]),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .action(async (keyId: string, options: InstanceOptions, command: Command) => {
      const { resources } = await apiOf(command).call(engineApi.listKeyPolicies, {
        params: { id: keyId },
        ...onInstance(options),
      });
      printPolicies(options, resources);
    });
  kpAliasCommands(key);
  const update = key.command('policy-update').description("Set a root key's policy");
  listingOptions(
    withExamples(
      update
        .command('rotation <key_id>')
        .description('Rotate the key every N months (30 days each); its clusters re-encrypt'),
      [
        'keyhaven kp key policy-update rotation <key_id> --instance-id kp-us-south --interval-month 3',
        'keyhaven kp key policy-update rotation <key_id> --instance-id kp-us-south --disable',
      ],
    ),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .option('--interval-month <n>', 'months between rotations, 1 to 12', intervalMonth)
    .option('--disable', 'stop rotating the key by policy (the interval is kept)')
    .action(
      async (
        keyId: string,
        options: InstanceOptions & { intervalMonth?: number; disable?: boolean },
        command: Command,
      ) => {
        if (!options.disable && options.intervalMonth === undefined)
          command.error('error: pass --interval-month <n> (1 to 12), or --disable', {
            exitCode: 2,
          });
        const { resources } = await apiOf(command).call(engineApi.putKeyPolicy, {
          params: { id: keyId },
          query: { policy: 'rotation' },
          ...onInstance(options),
          body: {
            metadata: { collectionType: POLICY_MEDIA_TYPE, collectionTotal: 1 },
            resources: [
              {
                type: POLICY_MEDIA_TYPE,
                rotation: {
                  enabled: !options.disable,
                  ...(options.intervalMonth !== undefined && {
                    interval_month: options.intervalMonth,
                  }),
                },
              },
            ],
          },
        });
        printPolicies(options, resources);
      },
    );
  listingOptions(
    withExamples(
      update
        .command('dual-auth-delete <key_id>')
        .description('Deleting the key takes two Managers from now on (it cannot be undone)'),
      ['keyhaven kp key policy-update dual-auth-delete <key_id> --instance-id kp-us-south'],
    ),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .action(async (keyId: string, options: InstanceOptions, command: Command) => {
      const { resources } = await apiOf(command).call(engineApi.putKeyPolicy, {
        params: { id: keyId },
        query: { policy: 'dualAuthDelete' },
        ...onInstance(options),
        body: {
          metadata: { collectionType: POLICY_MEDIA_TYPE, collectionTotal: 1 },
          resources: [{ type: POLICY_MEDIA_TYPE, dualAuthDelete: { enabled: true } }],
        },
      });
      printPolicies(options, resources);
    });
  const steps = [
    [
      'schedule-delete',
      'setKeyForDeletion',
      'Authorize deleting the key: another Manager deletes it within 7 days',
      'Authorized the deletion of',
    ],
    [
      'cancel-delete',
      'unsetKeyForDeletion',
      'Cancel the authorization to delete the key',
      'Cancelled the authorization to delete',
    ],
  ] as const;
  for (const [name, operation, description, done] of steps)
    listingOptions(
      withExamples(key.command(`${name} <key_id>`).description(description), [
        `keyhaven kp key ${name} <key_id> --instance-id kp-us-south`,
      ]),
    )
      .requiredOption('--instance-id <id>', 'the KMS instance')
      .action(async (keyId: string, options: InstanceOptions, command: Command) => {
        await apiOf(command).call(engineApi[operation], {
          params: { id: keyId },
          ...onInstance(options),
        });
        if (isJson(options)) return printJson({ id: keyId });
        ok(options);
        process.stdout.write(`${done} root key ${keyId}.\n`);
      });
}
