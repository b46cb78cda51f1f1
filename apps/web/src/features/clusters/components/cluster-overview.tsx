import { useRef, useState } from 'react';
import { Button, InlineNotification, ProgressBar, Tag } from '@carbon/react';
import { Link } from 'react-router';
import {
  EXPIRY_WARNING_DAYS,
  count,
  daysUntilExpiry,
  providerLabel,
  type ClusterOverview as ClusterOverviewData,
} from '@keyhaven/contracts';
import { rootKeyPage } from '../../../shared/links.ts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { MasterStatusText } from '../../../shared/ui/master-status.tsx';
import { SummaryRow } from '../../../shared/ui/summary-row.tsx';
import { Ago, Day } from '../../../shared/ui/time.tsx';
import { useNow } from '../../../shared/ui/use-now.ts';
import { WhyNot, needsPlatformRole } from '../../../shared/ui/why-not.tsx';
import { useClusterOverview } from '../api/get-cluster-overview.ts';
import { describeRate, rateAndLeft } from '../hooks/job-rate.ts';
import { useJobFinished } from '../hooks/use-job-finished.ts';
import { useMasterStatus } from '../hooks/use-master-status.ts';
import { ConnectionPanel } from './connection-panel.tsx';
import { EnableKmsModal } from './enable-kms-modal.tsx';

/** A root key that expires within 30 days is flagged where its cluster is shown (R9). */
/**
 * What a connected cluster can and cannot do while the engine is down, as measured by
 * `npm run bench -w apps/kms-plugin -- --outage` (README, Operations).
 */
const CONNECTED_DURING_OUTAGE =
  'Its running API servers keep creating and reading Secrets (they reuse their data keys); an API server restarted meanwhile cannot read or write Secrets until the engine is back.';

export function ExpiryTag({ expirationDate }: { expirationDate: string }) {
  const now = useNow();
  const days = daysUntilExpiry({ expirationDate }, new Date(now)) ?? Infinity;
  if (days > EXPIRY_WARNING_DAYS) return null;
  return (
    <>
      {' '}
      <Tag type="red" size="sm">
        {days <= 0 ? 'Expired' : `Expires in ${days} day${days === 1 ? '' : 's'}`}
      </Tag>
    </>
  );
}

/** Master status with its progress, and what the console last knew when its stream is cut. */
export function MasterStatusCell({
  status,
  interrupted,
  connected,
  rootKey,
}: {
  status: NonNullable<ReturnType<typeof useMasterStatus>['status']>;
  interrupted: boolean;
  /** A connected cluster's job first waits for its API server to take the key. */
  connected: boolean;
  /** The cluster's root key: a warning about it leads to its page. */
  rootKey: { instanceId: string; id: string; name: string } | undefined;
}) {
  const { progress, job } = status;
  const rate = job && rateAndLeft(job.first, job.latest, job.total);
  return (
    <>
      {interrupted && (
        <InlineNotification
          kind="warning"
          lowContrast
          hideCloseButton
          title="Live status is interrupted"
          subtitle={
            connected
              ? `The console cannot reach the encryption engine. ${CONNECTED_DURING_OUTAGE} Last known:`
              : 'The console cannot reach the encryption engine. Last known:'
          }
        />
      )}
      <div aria-live="polite" className="kh-master-status">
        <MasterStatusText
          health={status.health}
          message={
            status.health === 'normal' || interrupted ? (
              <>
                {status.message} (<Ago iso={status.modifiedDate} />)
              </>
            ) : (
              status.message
            )
          }
        />
        {status.message.includes('no longer authorized') && (
          <p>
            <Link className="cds--link" to="/authorizations">
              Open Authorizations
            </Link>{' '}
            to authorize Kubernetes Service again (an administrator of the instance&apos;s account).
          </p>
        )}
        {(status.health === 'warning' || status.health === 'critical') && rootKey && (
          <p>
            <Link className="cds--link" to={rootKeyPage(rootKey.instanceId, rootKey.id)}>
              Open root key {rootKey.name}
            </Link>{' '}
            to see its state and what else uses it.
          </p>
        )}
        {progress?.total === 0 && connected && (
          <p className="kh-muted">
            Waiting for the cluster&apos;s API server to take the root key (its KMS plug-in reports
            when it has).
          </p>
        )}
        {progress && progress.total > 0 && (
          <ProgressBar
            label="Secrets re-encrypted"
            value={progress.done}
            max={progress.total}
            helperText={[
              `${count(progress.done)} of ${count(progress.total)} secrets`,
              ...(rate ? [describeRate(rate)] : []),
            ].join(' · ')}
            size="small"
          />
        )}
      </div>
    </>
  );
}

/** The KMS instance and root key a cluster uses, the key linked to its page. */
function KmsInUse({ kms }: { kms: NonNullable<ClusterOverviewData['kms']> }) {
  return (
    <div>
      <div>
        {kms.instanceName}{' '}
        <Tag type="blue" size="sm">
          {providerLabel[kms.provider]}
        </Tag>
      </div>
      <div className="kh-muted">
        Root key{' '}
        <Link className="cds--link" to={rootKeyPage(kms.instanceId, kms.rootKeyId)}>
          {kms.rootKeyName}
        </Link>
        , version {kms.keyVersion.slice(0, 8)}
        {kms.expirationDate && (
          <>
            , expires <Day iso={kms.expirationDate} />
            <ExpiryTag expirationDate={kms.expirationDate} />
          </>
        )}
        {` · ${kms.privateEndpoint ? 'private' : 'public'} endpoint`}
      </div>
    </div>
  );
}

/** Overview > Summary: cluster facts, live Master status and Key management service. */
export function ClusterOverview({
  clusterId,
  canEnable,
}: {
  clusterId: string;
  /** Whether the user holds Administrator on the cluster (the engine checks too). */
  canEnable: boolean;
}) {
  const overview = useClusterOverview(clusterId);
  const { status, interrupted } = useMasterStatus(clusterId, overview.data);
  const [modalOpen, setModalOpen] = useState(false);
  const launcher = useRef<HTMLButtonElement>(null);
  const cluster = overview.data?.cluster;
  const kms = overview.data?.kms;
  useJobFinished(clusterId, cluster?.name, kms?.rootKeyName, status);
  const loading = overview.isPending;
  const failed = overview.isError;
  const inProgress = status?.progress !== null && status?.progress !== undefined;
  const mode = cluster?.features.keyProtectEnabled ? 'update' : 'enable';
  // Why Enable/Update cannot be used now, said on the page (keyboard users get no hover title).
  const whyNot = !canEnable
    ? needsPlatformRole('Administrator')
    : inProgress
      ? 'Is available again when the re-encryption in progress is done'
      : undefined;

  return (
    <>
      <section aria-labelledby="summary-heading" className="kh-summary">
        <h2 id="summary-heading">Summary</h2>
        {failed && (
          <ErrorState
            title="The cluster could not be loaded"
            error={overview.error}
            onRetry={() => void overview.refetch()}
          />
        )}
        <div role="table" aria-label="Summary">
          <SummaryRow label="Cluster ID" loading={loading} failed={failed}>
            <code>{cluster?.id}</code>
          </SummaryRow>
          <SummaryRow label="Version" loading={loading} failed={failed}>
            {cluster?.masterKubeVersion}
          </SummaryRow>
          <SummaryRow label="Location" loading={loading} failed={failed}>
            {cluster?.location}
          </SummaryRow>
          <SummaryRow label="Master status" loading={loading && !status} failed={failed && !status}>
            {status && (
              <MasterStatusCell
                status={status}
                interrupted={interrupted}
                connected={cluster?.connection != null}
                rootKey={
                  kms
                    ? { instanceId: kms.instanceId, id: kms.rootKeyId, name: kms.rootKeyName }
                    : undefined
                }
              />
            )}
          </SummaryRow>
          <SummaryRow label="Key management service" loading={loading} failed={failed}>
            <div className="kh-kms">
              {kms ? <KmsInUse kms={kms} /> : <span>Not enabled</span>}
              <Button
                ref={launcher}
                kind="tertiary"
                size="sm"
                disabled={inProgress || !canEnable}
                aria-describedby={whyNot ? 'kms-action-why' : undefined}
                onClick={() => setModalOpen(true)}
              >
                {mode === 'enable' ? 'Enable' : 'Update'}
              </Button>
            </div>
            {whyNot && (
              <WhyNot
                id="kms-action-why"
                action={mode === 'enable' ? 'Enable' : 'Update'}
                reason={whyNot}
              />
            )}
          </SummaryRow>
        </div>
        {cluster && (
          <EnableKmsModal
            clusterId={clusterId}
            mode={mode}
            current={kms ?? null}
            open={modalOpen}
            onClose={() => setModalOpen(false)}
            launcher={launcher}
          />
        )}
      </section>
      {cluster?.connection && (
        <ConnectionPanel
          cluster={{ ...cluster, connection: cluster.connection }}
          canAdminister={canEnable}
        />
      )}
    </>
  );
}
