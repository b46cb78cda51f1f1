import { AccessPage } from '../../features/access/components/access-page.tsx';
import { useSession } from '../../features/auth/api/get-session.ts';
import { useClusters } from '../../features/clusters/api/get-clusters.ts';
import { useInstances } from '../../features/kms/api/get-instances.ts';

export function AccessRoute() {
  const session = useSession();
  const instances = useInstances();
  const clusters = useClusters();
  return (
    <>
      <h1 className="kh-page-title">Access</h1>
      {session.data && (
        <AccessPage
          user={session.data.user}
          instances={instances.data ?? []}
          clusters={clusters.data ?? []}
        />
      )}
    </>
  );
}
