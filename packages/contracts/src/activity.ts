import { z } from 'zod';

export const ActivityTargetKind = z.enum(['cluster', 'key', 'instance', 'account']);
export type ActivityTargetKind = z.infer<typeof ActivityTargetKind>;

export const ActivityEntry = z.object({
  id: z.string(),
  at: z.string(),
  /** The account whose resource it was: entries written before the audit log have none. */
  accountId: z.string().optional(),
  actor: z.string(),
  action: z.string(),
  target: z.object({ kind: ActivityTargetKind, id: z.string() }),
  result: z.enum(['success', 'failure']),
  message: z.string(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;
export const ActivityList = z.array(ActivityEntry);

/** An entry's id: inverted milliseconds, inverted sequence, random suffix (newest sorts first). */
export const ActivityCursor = z
  .string()
  .regex(/^\d{13}-[0-9a-f]{4}-[0-9a-f]{8}$/, 'must be the "next" value of the previous page');

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be a time such as 2026-12-01T00:00:00Z',
});

/**
 * The account's audit log, newest first, filtered: who did it (exact), what (an action or its
 * prefix, such as "kms" or "key.disable"), to which resource, and when.
 */
export const AuditQuery = z
  .object({
    actor: z.string().trim().min(1).max(128).optional(),
    action: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9.-]{0,63}$/, 'must be an action such as "kms.enable" or its start "kms"')
      .optional(),
    targetKind: ActivityTargetKind.optional(),
    targetId: z.string().trim().min(1).max(128).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: ActivityCursor.optional(),
  })
  .refine((q) => !(q.from && q.to && Date.parse(q.from) > Date.parse(q.to)), {
    message: 'must not be later than "to"',
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({
  entries: ActivityList,
  /** Where the next page starts, or null at the end of the log (or of the time range). */
  next: ActivityCursor.nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

/** An audit event in the shape of CADF, as IBM Cloud Activity Tracker exports them. */
export interface CadfEvent {
  id: string;
  eventTime: string;
  action: string;
  outcome: 'success' | 'failure';
  severity: 'normal' | 'warning' | 'critical';
  message: string;
  initiator: { name: string; typeURI: string };
  target: { id: string; typeURI: string };
  observer: { name: 'Keyhaven' };
  account?: string;
}

/** Actions that take away access to data: flagged for whoever reads the log. */
const CRITICAL = /^key\.(delete|destroy)|^kms\.key-(deleted|destroyed)/;
const WARNING =
  /^key\.(disable|expire|schedule-deletion)|^authorization\.delete|^kms\.(paused|key-disabled)/;

const typeURIs: Record<ActivityTargetKind, string> = {
  cluster: 'containers-kubernetes/cluster',
  key: 'kms/secrets',
  instance: 'kms/instance',
  account: 'iam/account',
};

/** One entry as a CADF-like event (one JSON line of the audit log's export). */
export function toCadf(entry: ActivityEntry): CadfEvent {
  const severity = CRITICAL.test(entry.action)
    ? 'critical'
    : WARNING.test(entry.action) || entry.result === 'failure'
      ? 'warning'
      : 'normal';
  return {
    id: entry.id,
    eventTime: entry.at,
    action: `keyhaven.${entry.action}`,
    outcome: entry.result,
    severity,
    message: entry.message,
    initiator: {
      name: entry.actor,
      typeURI: entry.actor === 'system' ? 'service/keyhaven' : 'service/security/account/user',
    },
    target: { id: `${entry.target.kind}/${entry.target.id}`, typeURI: typeURIs[entry.target.kind] },
    observer: { name: 'Keyhaven' },
    ...(entry.accountId && { account: entry.accountId }),
  };
}
