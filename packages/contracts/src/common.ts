import { z } from 'zod';

/** Every error any Keyhaven service returns: a stable code, a readable message, optional details. */
export const ErrorBody = z.looseObject({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  // Key Protect's paths add its own error envelope (metadata, resources) beside these.
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

export const IsoDate = z.iso.datetime({ offset: true });

export const PlatformRole = z.enum(['Viewer', 'Operator', 'Editor', 'Administrator']);
export type PlatformRole = z.infer<typeof PlatformRole>;
export const ServiceRole = z.enum(['Reader', 'Writer', 'Manager']);
export type ServiceRole = z.infer<typeof ServiceRole>;

/** Where root keys live: the engine's software adapter, or a PKCS#11 token (an HSM). */
export const KeyAdapterName = z.enum(['software', 'pkcs11']);
export type KeyAdapterName = z.infer<typeof KeyAdapterName>;

export const Provider = z.enum(['key-protect', 'hyper-protect-crypto-services']);
export type Provider = z.infer<typeof Provider>;

export const providerLabel: Record<Provider, string> = {
  'key-protect': 'Key Protect',
  'hyper-protect-crypto-services': 'Hyper Protect Crypto Services',
};

/** Describes a failed validation: the first problem as a message, every problem with its path. */
export function describeIssues(error: z.ZodError, where: string) {
  const issues = error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const first = issues[0];
  return { message: first ? `${first.path}: ${first.message}` : `invalid ${where}`, issues };
}

/** Parses process settings with a schema, or throws one error naming every bad setting. */
export function parseSettings<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid ${what} settings:\n${lines.join('\n')}`);
}
