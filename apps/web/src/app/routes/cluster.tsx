import { Breadcrumb, BreadcrumbItem } from '@carbon/react';
import { Link, useParams } from 'react-router';
import { useClusterOverview } from '../../features/clusters/api/get-cluster-overview.ts';
import { ClusterOverview } from '../../features/clusters/components/ClusterOverview.tsx';

export function ClusterRoute() {
  const { id = '' } = useParams();
  const overview = useClusterOverview(id);
  return (
    <>
      <Breadcrumb noTrailingSlash>
        <BreadcrumbItem>
          <Link to="/clusters">Kubernetes clusters</Link>
        </BreadcrumbItem>
      </Breadcrumb>
      <h1 className="kh-page-title">{overview.data?.cluster.name ?? id}</h1>
      <h2 className="kh-section-title">Overview</h2>
      <ClusterOverview clusterId={id} />
    </>
  );
}
