import { AuditLog } from '../../features/audit/components/audit-log.tsx';

export function AuditRoute() {
  return (
    <>
      <h1 className="kh-page-title">Audit log</h1>
      <p className="kh-page-intro">
        Every change to the account&apos;s clusters, root keys, authorizations and users, by people
        and by Keyhaven itself.
      </p>
      <AuditLog />
    </>
  );
}
