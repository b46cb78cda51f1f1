import { useState } from 'react';
import {
  Checkbox,
  Modal,
  RadioButton,
  RadioButtonGroup,
  Select,
  SelectItem,
  TextInput,
} from '@carbon/react';
import {
  Id,
  Provider,
  SOURCE_SERVICE,
  providerLabel,
  sourceServiceLabel,
  type KmsInstance,
  type Me,
  type ServiceRole,
} from '@keyhaven/contracts';
import { FormError } from '../../../shared/ui/form-error.tsx';
import { useToast, type Toast } from '../../../shared/ui/toasts.tsx';
import { useCreateAuthorization } from '../api/create-authorization.ts';

const ALL = '*';

/** Service access: Reader always, Writer and Manager on request, and delegation. */
function ServiceAccessFields(props: {
  roles: ServiceRole[];
  onRoleChange: (role: ServiceRole, on: boolean) => void;
  delegation: boolean;
  onDelegationChange: (on: boolean) => void;
}) {
  return (
    <>
      <fieldset className="cds--fieldset">
        <legend className="cds--label">Service access</legend>
        <Checkbox id="role-reader" labelText="Reader (required)" checked disabled />
        {(['Writer', 'Manager'] as const).map((role) => (
          <Checkbox
            key={role}
            id={`role-${role.toLowerCase()}`}
            labelText={role}
            checked={props.roles.includes(role)}
            onChange={(_event, { checked }) => props.onRoleChange(role, checked)}
          />
        ))}
      </fieldset>
      <Checkbox
        id="delegation"
        labelText="Enable authorization to be delegated by the source and dependent services"
        checked={props.delegation}
        onChange={(_event, { checked }) => props.onDelegationChange(checked)}
      />
    </>
  );
}

/** This account, or another one by its ID: where the clusters that use the instance live. */
function SourceAccountFields({
  accountId: own,
  other: otherAccount,
  onOther,
  otherId: accountId,
  onOtherId,
  valid: accountValid,
}: {
  accountId: string;
  other: boolean;
  onOther: (other: boolean) => void;
  otherId: string;
  onOtherId: (id: string) => void;
  valid: boolean;
}) {
  return (
    <>
      <RadioButtonGroup
        legendText="Source account"
        name="source-account"
        valueSelected={otherAccount ? 'other' : 'this'}
        onChange={(value) => onOther(value === 'other')}
      >
        <RadioButton id="source-this" labelText={`This account (${own})`} value="this" />
        <RadioButton id="source-other" labelText="Other account" value="other" />
      </RadioButtonGroup>
      {otherAccount && (
        <TextInput
          id="source-account-id"
          labelText="Account ID"
          helperText="The account where the clusters that use this instance live."
          value={accountId}
          onChange={(e) => onOtherId(e.target.value)}
          invalid={accountId !== '' && !accountValid}
          invalidText="Letters, digits, '.', '_', ':' or '-'."
          autoComplete="off"
        />
      )}
    </>
  );
}

/** The toast that confirms a grant: who may now use what, with which roles. */
function granted(
  service: Provider,
  instance: KmsInstance | undefined,
  roles: ServiceRole[],
  delegation: boolean,
): Toast {
  const target = instance?.name ?? `every ${providerLabel[service]} instance`;
  return {
    kind: 'success',
    title: `${sourceServiceLabel} may now use ${target}`,
    subtitle: `Roles: ${roles.join(', ')}${delegation ? '; delegation allowed' : ''}.`,
  };
}

/**
 * Create a service authorization in the seed's words: source account (this one or another by
 * its ID), source service, target service and instance, service access (Reader at least), and
 * delegation by the source and dependent services.
 */
export function CreateAuthorizationModal({
  user,
  instances,
  onClose,
}: {
  user: Me;
  instances: KmsInstance[];
  onClose: () => void;
}) {
  const [otherAccount, setOtherAccount] = useState(false);
  const [accountId, setAccountId] = useState('');
  const [service, setService] = useState<Provider>('key-protect');
  // The narrowest grant by default: one instance, not every instance of the service.
  const firstOf = (p: Provider) => instances.find((i) => i.provider === p)?.id ?? ALL;
  const [instanceId, setInstanceId] = useState(() => firstOf('key-protect'));
  const [roles, setRoles] = useState<ServiceRole[]>(['Reader']);
  const [delegation, setDelegation] = useState(false);
  const create = useCreateAuthorization();
  const toast = useToast();
  const accountValid = !otherAccount || Id.safeParse(accountId.trim()).success;
  const ofService = instances.filter((i) => i.provider === service);
  const toggleRole = (role: ServiceRole, on: boolean) =>
    setRoles((current) => (on ? [...current, role] : current.filter((r) => r !== role)));
  const submit = () =>
    create.mutate(
      {
        source: {
          serviceName: SOURCE_SERVICE,
          ...(otherAccount && { accountId: accountId.trim() }),
        },
        target: { serviceName: service, ...(instanceId !== ALL && { instanceId }) },
        roles,
        delegation,
      },
      {
        onSuccess: () => {
          toast(
            granted(
              service,
              ofService.find((i) => i.id === instanceId),
              roles,
              delegation,
            ),
          );
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      modalHeading="Create service authorization"
      primaryButtonText="Authorize"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={!accountValid || create.isPending}
      loadingStatus={create.isPending ? 'active' : 'inactive'}
      onRequestClose={onClose}
      onRequestSubmit={submit}
      // The first field, not Authorize: Enter must not grant access before anything is read.
      selectorPrimaryFocus="#source-this"
    >
      <div className="kh-stack">
        <FormError title="The service authorization was not created" error={create.error} />
        <SourceAccountFields
          accountId={user.accountId}
          other={otherAccount}
          onOther={setOtherAccount}
          otherId={accountId}
          onOtherId={setAccountId}
          valid={accountValid}
        />
        <Select id="source-service" labelText="Source service" value={SOURCE_SERVICE} readOnly>
          <SelectItem value={SOURCE_SERVICE} text={sourceServiceLabel} />
        </Select>
        <Select
          id="target-service"
          labelText="Target service"
          value={service}
          onChange={(e) => {
            const next = Provider.parse(e.target.value);
            setService(next);
            setInstanceId(firstOf(next));
          }}
        >
          {Provider.options.map((p) => (
            <SelectItem key={p} value={p} text={providerLabel[p]} />
          ))}
        </Select>
        <Select
          id="target-instance"
          labelText="Target service instance"
          value={instanceId}
          onChange={(e) => setInstanceId(e.target.value)}
        >
          {ofService.map((i) => (
            <SelectItem key={i.id} value={i.id} text={`${i.name} (${i.region})`} />
          ))}
          <SelectItem value={ALL} text="All instances (including ones created later)" />
        </Select>
        <ServiceAccessFields
          roles={roles}
          onRoleChange={toggleRole}
          delegation={delegation}
          onDelegationChange={setDelegation}
        />
      </div>
    </Modal>
  );
}
