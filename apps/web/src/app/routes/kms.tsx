import { RootKeysPage } from '../../features/kms/components/RootKeysPage.tsx';

export function KmsRoute() {
  return (
    <>
      <h1 className="kh-page-title">Key management</h1>
      <RootKeysPage />
    </>
  );
}
