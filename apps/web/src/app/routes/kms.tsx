import { useSession } from '../../features/auth/api/get-session.ts';
import { RootKeysPage } from '../../features/kms/components/root-keys-page.tsx';

export function KmsRoute() {
  const session = useSession();
  return (
    <>
      <h1 className="kh-page-title">Key management</h1>
      <RootKeysPage user={session.data?.user} />
    </>
  );
}
