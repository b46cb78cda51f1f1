import { Command, CommanderError } from 'commander';
import { completionCommand } from './commands/completion.ts';
import { iamCommands } from './commands/iam.ts';
import { kpCommands } from './commands/kp.ts';
import { ksCommands } from './commands/ks.ts';
import { loginCommands } from './commands/login.ts';
import { CliError } from './errors.ts';
import { printFailure } from './output.ts';

/** The `keyhaven` program: the seeds' `ks` and `kp` flows over the engine's HTTP API. */
export function createProgram(): Command {
  const program = new Command('keyhaven')
    .description('Encrypt Kubernetes secrets with your own root keys: the Keyhaven command line')
    .version('0.1.0')
    .option(
      '--api-url <url>',
      'the Keyhaven API (else KEYHAVEN_API_URL, else what `keyhaven login` used)',
      process.env.KEYHAVEN_API_URL,
    )
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      '\nExamples:\n  keyhaven login --username admin\n  keyhaven ks kms instance ls\n  keyhaven ks cluster get -c prod-us-south\n',
    );
  loginCommands(program);
  ksCommands(program);
  kpCommands(program);
  iamCommands(program);
  completionCommand(program);
  // Every subcommand reports usage errors the same way (exit code 2).
  const visit = (command: Command) => {
    command.exitOverride().showHelpAfterError();
    command.commands.forEach(visit);
  };
  program.commands.forEach(visit);
  return program;
}

/** Exit codes: 0 done, 1 refused or failed, 2 usage. */
export async function run(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander printed the help, the version, or the usage error already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      printFailure(err.message);
      return err.exitCode;
    }
    printFailure(`Unexpected failure: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await run(process.argv);
