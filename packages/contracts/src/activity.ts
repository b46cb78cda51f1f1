import { z } from 'zod';

export const ActivityEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.object({ kind: z.enum(['cluster', 'key', 'instance', 'account']), id: z.string() }),
  result: z.enum(['success', 'failure']),
  message: z.string(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;
export const ActivityList = z.array(ActivityEntry);
