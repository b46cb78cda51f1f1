import { z } from 'zod';
import { Cluster, EnableKmsRequest } from './clusters.ts';
import { Me } from './identity.ts';

/** The console's own API (served by the BFF under /api). */

export const LoginRequest = z.object({
  username: z.string().trim().min(1, 'Enter your username').max(128),
  password: z.string().min(1, 'Enter your password').max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionInfo = z.object({
  user: Me,
  csrfToken: z.string(),
  expiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const ClusterRow = Cluster.pick({
  id: true,
  name: true,
  location: true,
  region: true,
  masterKubeVersion: true,
  masterStatus: true,
  masterHealth: true,
}).extend({ kmsEnabled: z.boolean() });
export type ClusterRow = z.infer<typeof ClusterRow>;
export const ClusterRows = z.array(ClusterRow);

export const EnableKmsBody = EnableKmsRequest.omit({ cluster: true, account_id: true });
export type EnableKmsBody = z.infer<typeof EnableKmsBody>;
