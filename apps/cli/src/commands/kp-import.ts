import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  IMPORT_KEY_BYTES,
  engineApi,
  type ImportToken,
  type ImportTokenRetrieval,
} from '@keyhaven/contracts';
import { wrapForImport, type WrappedImport } from '@keyhaven/contracts/import-wrap';
import { CliError } from '../errors.ts';
import { isJson, labelled, ok, printJson } from '../output.ts';
import type { EngineApi } from '../client.ts';
import { apiOf, listingOptions, onInstance, withExamples, type InstanceOptions } from './common.ts';

const SIZES = IMPORT_KEY_BYTES as readonly number[];
/** Token states after which a fresh token is made for `kp keys create --import`. */
const SPENT = new Set([
  'IMPORT_TOKEN_NOT_FOUND',
  'IMPORT_TOKEN_USED',
  'IMPORT_TOKEN_EXPIRED',
  'IMPORT_TOKEN_RETRIEVALS_EXHAUSTED',
]);

const termsTable = (t: ImportToken) =>
  labelled([
    ['Created', t.creationDate],
    ['Expires', t.expirationDate],
    ['Retrievals left', `${t.remainingRetrievals} of ${t.maxAllowedRetrievals}`],
  ]);

/**
 * Reads key material to import: a file of exactly 16, 24 or 32 raw bytes, or the base64 of such
 * a key on one line (what `openssl rand -base64 32` prints).
 */
export function readKeyMaterial(path: string): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CliError(`--import ${path}: the file cannot be read.`, 2);
  }
  if (size > 1024)
    throw new CliError(
      `--import ${path}: a key file holds 16, 24 or 32 bytes, or their base64.`,
      2,
    );
  const bytes = readFileSync(path);
  if (SIZES.includes(bytes.length)) return bytes;
  const text = bytes.toString('latin1').trim();
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  bytes.fill(0);
  if (decoded && SIZES.includes(decoded.length)) return decoded;
  decoded?.fill(0);
  throw new CliError(
    `--import ${path}: the key must be 16, 24 or 32 bytes (AES-128, -192 or -256), raw or base64.`,
    2,
  );
}

/** The instance's import token to use now: the current one, or a fresh one if it is spent. */
async function currentToken(api: EngineApi, instanceId: string): Promise<ImportTokenRetrieval> {
  const call = onInstance({ instanceId });
  try {
    return await api.call(engineApi.getImportToken, call);
  } catch (err) {
    if (!(err instanceof CliError && err.code && SPENT.has(err.code))) throw err;
  }
  await api.call(engineApi.createImportToken, { ...call, body: {} });
  return api.call(engineApi.getImportToken, call);
}

/** Wraps a key file for import under the instance's import token (RSA-OAEP-SHA-256). */
export async function wrapKeyFile(
  api: EngineApi,
  instanceId: string,
  path: string,
): Promise<WrappedImport> {
  const material = readKeyMaterial(path);
  try {
    return wrapForImport(material, await currentToken(api, instanceId));
  } finally {
    material.fill(0);
  }
}

/** `keyhaven kp import-token create|show`: Key Protect's import tokens (bring your own key). */
export function kpImportCommands(kp: Command) {
  const tokens = withExamples(
    kp.command('import-token').description('Import tokens: bring your own root key'),
    [
      'keyhaven kp import-token create --instance-id kp-us-south --expiration 900',
      'keyhaven kp keys create my-key --import key.bin --instance-id kp-us-south',
    ],
  );
  listingOptions(
    withExamples(tokens.command('create').description("Make the instance's import token"), [
      'keyhaven kp import-token create --instance-id kp-us-south --expiration 900 --max-retrievals 3',
    ]),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .option('--expiration <seconds>', 'how long it may be used: 300 to 86400 (default 600)')
    .option('--max-retrievals <n>', 'how often its public key may be read: 1 to 500 (default 1)')
    .action(
      async (
        options: InstanceOptions & { expiration?: string; maxRetrievals?: string },
        command: Command,
      ) => {
        const body = {
          ...(options.expiration !== undefined && { expiration: Number(options.expiration) }),
          ...(options.maxRetrievals !== undefined && {
            maxAllowedRetrievals: Number(options.maxRetrievals),
          }),
        };
        const made = await apiOf(command).call(engineApi.createImportToken, {
          ...onInstance(options),
          body,
        });
        if (isJson(options)) return printJson(made);
        ok(options);
        process.stdout.write(termsTable(made));
      },
    );
  listingOptions(
    withExamples(
      tokens
        .command('show')
        .description("Show the import token's public key and nonce (uses one retrieval)"),
      ['keyhaven kp import-token show --instance-id kp-us-south --output json'],
    ),
  )
    .requiredOption('--instance-id <id>', 'the KMS instance')
    .action(async (options: InstanceOptions, command: Command) => {
      const token = await apiOf(command).call(engineApi.getImportToken, onInstance(options));
      if (isJson(options)) return printJson(token);
      ok(options);
      process.stdout.write(termsTable(token));
      process.stdout.write(`Nonce: ${token.nonce}\n`);
      process.stdout.write(Buffer.from(token.payload, 'base64').toString());
    });
}
