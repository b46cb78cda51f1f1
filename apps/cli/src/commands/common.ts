import { Option, type Command } from 'commander';
import { EngineApi } from '../client.ts';
import type { OutputOptions } from '../output.ts';

/** The API of the logged-in session; `--api-url` or KEYHAVEN_API_URL point it elsewhere. */
export function apiOf(command: Command): EngineApi {
  const { apiUrl } = command.optsWithGlobals<{ apiUrl?: string }>();
  return EngineApi.fromConfig(apiUrl);
}

/** Every listing and `cluster get` take `--output json` and `-q`. */
export function listingOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--output <format>', "json: the API's own shapes, for scripts").choices(['json']),
    )
    .option('-q, --quiet', 'print only results and errors');
}

/** Adds an Examples section to the command's --help. */
export function withExamples(command: Command, examples: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
}

/** A Key Protect command's options: `--instance-id` beside the output options. */
export type InstanceOptions = OutputOptions & { instanceId: string };

/** Key Protect names the KMS instance of a call in its Bluemix-Instance header. */
export const onInstance = (options: { instanceId: string }) => ({
  headers: { 'bluemix-instance': options.instanceId },
});
