import { Link } from 'react-router';
import {
  providerLabel,
  sourceServiceLabel,
  type AuthorizationPolicy,
  type KmsInstance,
} from '@keyhaven/contracts';
import { useAuthorizations } from '../api/get-authorizations.ts';

/** The service-to-service authorizations that let clusters use keys of this instance. */
export function InstanceAuthorizations({ instance }: { instance: KmsInstance | undefined }) {
  const authorizations = useAuthorizations();
  const covering = (a: AuthorizationPolicy) =>
    instance !== undefined &&
    a.target.serviceName === instance.provider &&
    (a.target.instanceId === null || a.target.instanceId === instance.id);
  const list = authorizations.data?.filter(covering) ?? [];
  return (
    <section aria-labelledby="key-authorizations" className="kh-summary">
      <h2 id="key-authorizations">Authorizations</h2>
      {authorizations.isError ? (
        <p className="kh-muted">The authorizations could not be loaded.</p>
      ) : list.length === 0 ? (
        <p>
          No authorization lets a service use this instance&apos;s keys.{' '}
          <Link className="cds--link" to="/authorizations">
            Create one on Authorizations
          </Link>
          .
        </p>
      ) : (
        <ul className="kh-list">
          {list.map((a) => (
            <li key={a.id}>
              <Link className="cds--link" to="/authorizations">
                {sourceServiceLabel} →{' '}
                {a.target.instanceName ?? `every ${providerLabel[a.target.serviceName]} instance`}
              </Link>{' '}
              <span className="kh-muted">({a.roles.join(', ')})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
