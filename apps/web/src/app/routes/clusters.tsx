import { ClustersTable } from '../../features/clusters/components/clusters-table.tsx';

export function ClustersRoute() {
  return (
    <>
      <h1 className="kh-page-title">Kubernetes clusters</h1>
      <ClustersTable />
    </>
  );
}
