import { hasPlatformRole } from '@keyhaven/contracts';
import { useSession } from '../../features/auth/api/get-session.ts';
import { ClustersTable } from '../../features/clusters/components/clusters-table.tsx';

export function ClustersRoute() {
  const user = useSession().data?.user;
  // Connecting makes a cluster of the account: Administrator of all its clusters may.
  const canConnect =
    user !== undefined &&
    hasPlatformRole(user, { id: '', accountId: user.accountId }, 'Administrator');
  return (
    <>
      <h1 className="kh-page-title">Kubernetes clusters</h1>
      <ClustersTable canConnect={canConnect} />
    </>
  );
}
