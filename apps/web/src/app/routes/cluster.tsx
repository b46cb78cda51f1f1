import { Breadcrumb, BreadcrumbItem, Tab, TabList, TabPanel, TabPanels, Tabs } from '@carbon/react';
import { Link, useParams, useSearchParams } from 'react-router';
import { hasPlatformRole, type PlatformRole } from '@keyhaven/contracts';
import { ActivityTab } from '../../features/activity/components/activity-tab.tsx';
import { useSession } from '../../features/auth/api/session.ts';
import { useClusterOverview } from '../../features/clusters/api/get-cluster-overview.ts';
import { ClusterOverview } from '../../features/clusters/components/cluster-overview.tsx';
import { SecretsTab } from '../../features/secrets/components/secrets-tab.tsx';

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
  return (
    <>
      <Breadcrumb noTrailingSlash>
        <BreadcrumbItem>
          <Link to="/clusters">Kubernetes clusters</Link>
        </BreadcrumbItem>
      </Breadcrumb>
      <h1 className="kh-page-title">{overview.data?.cluster.name ?? id}</h1>
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
