import { useSession } from '../../features/auth/api/get-session.ts';
import { AuthorizationsPage } from '../../features/authorizations/components/authorizations-page.tsx';
import { useInstances } from '../../features/kms/api/get-instances.ts';

export function AuthorizationsRoute() {
  const session = useSession();
  const instances = useInstances();
  return (
    <>
      <h1 className="kh-page-title">Authorizations</h1>
      {session.data && (
        <AuthorizationsPage user={session.data.user} instances={instances.data ?? []} />
      )}
    </>
  );
}
