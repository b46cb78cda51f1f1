import { Breadcrumb, BreadcrumbItem, DataTableSkeleton } from '@carbon/react';
import { Link, useParams } from 'react-router';
import { useSession } from '../../features/auth/api/get-session.ts';
import { InstanceAuthorizations } from '../../features/authorizations/components/instance-authorizations.tsx';
import { useInstances } from '../../features/kms/api/get-instances.ts';
import { useRootKey } from '../../features/kms/api/get-root-key.ts';
import { RootKeyDetails } from '../../features/kms/components/root-key-page.tsx';
import { StateTag } from '../../features/kms/components/root-key-row.tsx';
import { ApiRequestError } from '../../shared/api/client.ts';
import { ErrorState } from '../../shared/ui/error-state.tsx';
import { useNow } from '../../shared/ui/use-now.ts';

/** A root key's page (/kms/:instance/keys/:id), linked from wherever the key is named. */
export function RootKeyRoute() {
  const { instance = '', id = '' } = useParams();
  const key = useRootKey(instance, id);
  const instances = useInstances();
  const now = useNow();
  const session = useSession();
  const breadcrumb = (
    <Breadcrumb noTrailingSlash>
      <BreadcrumbItem>
        <Link to={`/kms?instance=${encodeURIComponent(instance)}`}>Key management</Link>
      </BreadcrumbItem>
    </Breadcrumb>
  );
  if (key.error instanceof ApiRequestError && [403, 404].includes(key.error.status))
    return (
      <>
        {breadcrumb}
        <h1 className="kh-page-title">Root key not found</h1>
        <p>
          There is no root key <code>{id}</code> in <code>{instance}</code> that you can view.{' '}
          <Link to={`/kms?instance=${encodeURIComponent(instance)}`}>
            See this instance&apos;s root keys
          </Link>
          .
        </p>
      </>
    );
  return (
    <>
      {breadcrumb}
      <h1 className="kh-page-title">
        {key.data?.name ?? 'Root key'} {key.data && <StateTag rootKey={key.data} now={now} />}
      </h1>
      {key.isError ? (
        <ErrorState
          title="The root key could not be loaded"
          error={key.error}
          onRetry={() => void key.refetch()}
        />
      ) : key.isPending ? (
        <DataTableSkeleton columnCount={2} rowCount={8} showHeader={false} aria-label="Loading" />
      ) : (
        <RootKeyDetails
          rootKey={key.data}
          instance={instances.data?.find((i) => i.id === key.data.instanceId)}
          user={session.data?.user}
          authorizations={
            <InstanceAuthorizations
              instance={instances.data?.find((i) => i.id === key.data.instanceId)}
            />
          }
        />
      )}
    </>
  );
}
