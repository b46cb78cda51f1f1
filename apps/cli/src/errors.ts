/** A failure the CLI reports on stderr and exits with: 1 refused or failed, 2 usage. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** The engine's stable error code, when the engine refused. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
