import {
  Breadcrumb,
  BreadcrumbItem,
  InlineNotification,
  Tab,
  TabList,
  TabPanel,
  TabPanels,
  Tabs,
} from '@carbon/react';
import { Link, useParams, useSearchParams } from 'react-router';
import { hasPlatformRole, type PlatformRole } from '@keyhaven/contracts';
import { ActivityTab } from '../../features/activity/components/activity-tab.tsx';
import { useSession } from '../../features/auth/api/get-session.ts';
import { useClusterOverview } from '../../features/clusters/api/get-cluster-overview.ts';
import { ClusterOverview } from '../../features/clusters/components/cluster-overview.tsx';
import { SecretsTab } from '../../features/secrets/components/secrets-tab.tsx';
import { ApiRequestError } from '../../shared/api/client.ts';

const TABS = ['overview', 'secrets', 'activity'] as const;

/** A cluster: Overview, Secrets and Activity tabs; the tab is in the URL (?tab=) for links. */
export function ClusterRoute() {
  const { id = '' } = useParams();
  const overview = useClusterOverview(id);
  const session = useSession();
  const [search, setSearch] = useSearchParams();
  const selected = Math.max(0, TABS.indexOf(search.get('tab') as (typeof TABS)[number]));
  const user = session.data?.user;
  // Until the cluster is loaded its account is unknown: nothing is offered yet.
  const cluster = overview.data?.cluster;
  const may = (role: PlatformRole) =>
    user !== undefined && cluster !== undefined && hasPlatformRole(user, cluster, role);
  const canEdit = may('Editor');
  const canEnable = may('Administrator');
  const breadcrumb = (
    <Breadcrumb noTrailingSlash>
      <BreadcrumbItem>
        <Link to="/clusters">Kubernetes clusters</Link>
      </BreadcrumbItem>
    </Breadcrumb>
  );
  if (overview.error instanceof ApiRequestError && overview.error.status === 404)
    return (
      <>
        {breadcrumb}
        <h1 className="kh-page-title">Cluster not found</h1>
        <p>
          There is no cluster <code>{id}</code> that you can view.{' '}
          <Link to="/clusters">See the clusters you can view</Link>.
        </p>
      </>
    );
  return (
    <>
      {breadcrumb}
      <h1 className="kh-page-title">{overview.data?.cluster.name ?? id}</h1>
      {cluster && !canEdit && (
        <InlineNotification
          kind="info"
          lowContrast
          hideCloseButton
          title="Read-only"
          subtitle="You can view this cluster. Revealing, creating and deleting secrets needs the Editor platform role; enabling or updating KMS needs Administrator."
        />
      )}
      <Tabs
        selectedIndex={selected}
        onChange={({ selectedIndex }) =>
          setSearch(selectedIndex === 0 ? {} : { tab: TABS[selectedIndex] ?? 'overview' }, {
            replace: true,
          })
        }
      >
        <TabList aria-label="Cluster sections">
          <Tab>Overview</Tab>
          <Tab>Secrets</Tab>
          <Tab>Activity</Tab>
        </TabList>
        <TabPanels>
          <TabPanel>
            <ClusterOverview clusterId={id} canEnable={canEnable} />
          </TabPanel>
          <TabPanel>{selected === 1 && <SecretsTab clusterId={id} canEdit={canEdit} />}</TabPanel>
          <TabPanel>{selected === 2 && <ActivityTab clusterId={id} />}</TabPanel>
        </TabPanels>
      </Tabs>
    </>
  );
}
