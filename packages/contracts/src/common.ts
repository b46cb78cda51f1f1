import { z } from 'zod';

/** Every error any Keyhaven service returns: a stable code, a readable message, optional details. */
export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
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

export const Provider = z.enum(['key-protect', 'hyper-protect-crypto-services']);
export type Provider = z.infer<typeof Provider>;

export const providerLabel: Record<Provider, string> = {
  'key-protect': 'Key Protect',
  'hyper-protect-crypto-services': 'Hyper Protect Crypto Services',
};
