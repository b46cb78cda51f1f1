import { useState } from 'react';
import { Modal, RadioButton, RadioButtonGroup, Select, SelectItem } from '@carbon/react';
import {
  ALL_RESOURCES,
  AccessPolicyRequest,
  accessPolicyShape,
  PlatformRole,
  ServiceRole,
  type AccessService,
  type ClusterRow,
  type KmsInstance,
  type User,
} from '@keyhaven/contracts';
import { FormError } from '../../../shared/ui/form-error.tsx';
import { useGrantAccess } from '../api/grant-access.ts';

/**
 * Grant a user a role on a KMS instance (service roles) or a cluster (platform roles), or on
 * all of them; it replaces the user's role on that resource.
 */
export function GrantAccessModal({
  user,
  instances,
  clusters,
  onClose,
}: {
  user: User;
  instances: KmsInstance[];
  clusters: ClusterRow[];
  onClose: () => void;
}) {
  const [service, setService] = useState<AccessService>('kms');
  const [resource, setResource] = useState(ALL_RESOURCES);
  const [role, setRole] = useState<string>('Reader');
  const grant = useGrantAccess();
  const roles = service === 'kms' ? ServiceRole.options : PlatformRole.options;
  const resources =
    service === 'kms'
      ? instances.map((i) => ({ id: i.id, label: `${i.name} (${i.region})` }))
      : clusters.map((c) => ({ id: c.id, label: c.name }));
  const submit = () =>
    grant.mutate(
      // The role lists fit the resource type, so the contract takes what is chosen.
      AccessPolicyRequest.parse(accessPolicyShape(user.id, service, role, resource)),
      { onSuccess: onClose },
    );
  return (
    <Modal
      open
      modalHeading={`Grant access to ${user.username}`}
      primaryButtonText={grant.isPending ? 'Granting…' : 'Grant'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={grant.isPending}
      onRequestClose={onClose}
      onRequestSubmit={submit}
    >
      <div className="kh-stack">
        <FormError title="Access was not granted" error={grant.error} />
        <RadioButtonGroup
          legendText="Resource type"
          name="access-service"
          valueSelected={service}
          onChange={(value) => {
            const next = value as AccessService;
            setService(next);
            setResource(ALL_RESOURCES);
            setRole(next === 'kms' ? 'Reader' : 'Viewer');
          }}
        >
          <RadioButton id="access-kms" labelText="KMS instance (service role)" value="kms" />
          <RadioButton
            id="access-clusters"
            labelText="Kubernetes cluster (platform role)"
            value="containers-kubernetes"
          />
        </RadioButtonGroup>
        <Select
          id="access-resource"
          labelText={service === 'kms' ? 'KMS instance' : 'Cluster'}
          value={resource}
          onChange={(e) => setResource(e.target.value)}
        >
          <SelectItem
            value={ALL_RESOURCES}
            text={
              service === 'kms' ? 'All instances of the account' : 'All clusters of the account'
            }
          />
          {resources.map((r) => (
            <SelectItem key={r.id} value={r.id} text={r.label} />
          ))}
        </Select>
        <Select
          id="access-role"
          labelText="Role"
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          {roles.map((r) => (
            <SelectItem key={r} value={r} text={r} />
          ))}
        </Select>
        <p className="kh-muted">
          A role replaces the one {user.username} holds on the same resource.
          {service === 'containers-kubernetes' &&
            resource === ALL_RESOURCES &&
            role === 'Administrator' &&
            ' Administrator on all clusters makes them an account Administrator: they manage users.'}
        </p>
      </div>
    </Modal>
  );
}
