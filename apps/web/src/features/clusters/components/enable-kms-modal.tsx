import type { RefObject } from 'react';
import { Checkbox, ComboBox, InlineNotification, Modal } from '@carbon/react';
import {
  dateOnly,
  providerLabel,
  type ClusterOverview,
  type KmsInstance,
} from '@keyhaven/contracts';
import { FormError } from '../../../shared/ui/form-error.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { kmsTopic } from '../hooks/use-job-finished.ts';
import { useFocusWhenOpen } from '../../../shared/ui/use-focus-when-open.ts';
import { useEnableKms } from '../api/enable-kms.ts';
import { useEnableForm, type KeyOption } from '../hooks/use-enable-form.ts';

interface Props {
  clusterId: string;
  mode: 'enable' | 'update';
  /** What the cluster uses now (Update): shown, and kept unless the user changes it. */
  current: NonNullable<ClusterOverview['kms']> | null;
  open: boolean;
  onClose: () => void;
  launcher: RefObject<HTMLButtonElement | null>;
}

const instanceLabel = (i: KmsInstance | null | undefined) =>
  i ? `${i.name} (${providerLabel[i.provider]}, ${i.region})` : '';

function keyLabel(k: KeyOption | null | undefined): string {
  if (!k) return '';
  if (!k.selectable) return `${k.name} (${k.reasonText})`;
  if (k.expiresSoon && k.expirationDate) return `${k.name} (expires ${dateOnly(k.expirationDate)})`;
  return k.name;
}

/**
 * Typing in a picker narrows its list to the items whose label contains what was typed; while the
 * input shows the chosen item, reopening the list shows every item again.
 */
function matchesTyped<T>(selected: T | null) {
  return ({
    item,
    itemToString,
    inputValue,
  }: {
    item: T;
    itemToString?: (item: T) => string;
    inputValue: string | null;
  }): boolean => {
    const label = (i: T) => itemToString?.(i) ?? String(i);
    if (selected && inputValue === label(selected)) return true;
    return label(item)
      .toLowerCase()
      .includes((inputValue ?? '').toLowerCase());
  };
}

/** What the cluster uses now (Update), or what Enable does. */
function Intro({ current }: { current: Props['current'] }) {
  if (!current)
    return (
      <p>
        Secrets of this cluster are encrypted with a root key of the key management service instance
        that you choose.
      </p>
    );
  return (
    <p>
      The cluster uses root key <strong>{current.rootKeyName}</strong> of{' '}
      <strong>{current.instanceName}</strong> over the{' '}
      {current.privateEndpoint ? 'private' : 'public'} service endpoint. Choose the root key to use
      from now on; a key the cluster used before cannot be chosen again.
    </p>
  );
}

/** The seeds' warning, and the service authorization that Enable/Update creates when missing. */
function Notices({
  mode,
  authorizeOn,
}: {
  mode: Props['mode'];
  /** The chosen instance, when Kubernetes Service is not yet authorized to use it. */
  authorizeOn: KmsInstance | null;
}) {
  return (
    <>
      {authorizeOn && (
        <InlineNotification
          kind="info"
          lowContrast
          hideCloseButton
          title="No service authorization yet"
          subtitle={`Kubernetes Service is not yet authorized to use ${authorizeOn.name}. ${mode === 'enable' ? 'Enabling' : 'Updating'} creates the Reader service-to-service authorization, listed under Authorizations.`}
        />
      )}
      <InlineNotification
        kind="warning"
        lowContrast
        hideCloseButton
        title={`During the ${mode === 'enable' ? 'enablement' : 'update'}, you might not be able to access the Kubernetes master`}
        subtitle="For example, to update YAML configurations for deployments. From then on the cluster depends on the root key: disabled, it cannot read its secrets until the key is enabled again; deleted, its secrets are lost for good."
      />
    </>
  );
}

/** Enable or Update the key management service: pick a KMS instance and a root key (R4, R11, R12). */
export function EnableKmsModal({ clusterId, open, onClose, launcher, ...opening }: Props) {
  const form = useEnableForm(clusterId, open, opening);
  // The modal takes the focus as it opens: its first field, not the page behind it.
  useFocusWhenOpen(open, 'kms-instance');
  const { mode, current, options, instance, keys, selectedKey, publicEndpoint } = form;
  const enable = useEnableKms(clusterId);
  const toast = useToast();
  const verb = mode === 'enable' ? 'Enable' : 'Update';
  const valid = instance !== null && selectedKey !== null && !enable.isPending;

  const close = () => {
    enable.reset();
    onClose();
  };
  const submit = () => {
    if (!instance || !selectedKey) return;
    enable.mutate(
      { instance_id: instance.id, crk_id: selectedKey.id, private_endpoint: !publicEndpoint },
      {
        onSuccess: () => {
          toast({
            kind: 'success',
            title: `Key management service ${mode === 'enable' ? 'enablement' : 'update'} started`,
            subtitle: `Root key ${selectedKey.name}: Master status shows the progress.`,
            topic: kmsTopic(clusterId),
          });
          close();
        },
      },
    );
  };

  return (
    <Modal
      selectorPrimaryFocus="#kms-instance"
      open={open}
      modalHeading={`${verb} key management service`}
      primaryButtonText={verb}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={!valid}
      loadingStatus={enable.isPending ? 'active' : 'inactive'}
      loadingDescription={mode === 'enable' ? 'Enabling…' : 'Updating…'}
      onRequestSubmit={submit}
      onRequestClose={close}
      launcherButtonRef={launcher}
      preventCloseOnClickOutside
      size="sm"
    >
      <div className="kh-stack">
        <FormError
          title={`The key management service was not ${mode === 'enable' ? 'enabled' : 'updated'}`}
          error={enable.error}
        />
        <Intro current={current} />
        <Notices
          mode={mode}
          authorizeOn={options.data?.authorization === 'created-on-enable' ? instance : null}
        />
        <ComboBox<KmsInstance>
          id="kms-instance"
          titleText="Key management service instance"
          placeholder="Choose an instance"
          items={options.data?.instances ?? []}
          itemToString={instanceLabel}
          shouldFilterItem={matchesTyped(instance)}
          selectedItem={instance}
          onChange={({ selectedItem }) => form.chooseInstance(selectedItem ?? null)}
          invalid={options.isError}
          invalidText={options.error?.message}
          helperText={
            options.data && options.data.instances.length === 0
              ? 'No KMS instance in this account that you can read.'
              : 'Instances of this account that you can read. An instance of another account is used through the API or CLI (--kms-account-id).'
          }
        />
        <ComboBox<KeyOption>
          id="root-key"
          titleText="Root key"
          placeholder={
            instance
              ? current
                ? 'Choose a new root key'
                : 'Choose a root key'
              : 'Choose an instance first'
          }
          disabled={!instance || options.isFetching}
          items={keys.map((k) => ({ ...k, disabled: !k.selectable }))}
          itemToString={keyLabel}
          shouldFilterItem={matchesTyped(selectedKey)}
          selectedItem={selectedKey}
          onChange={({ selectedItem }) => form.chooseKey(selectedItem ?? null)}
          warn={selectedKey?.expiresSoon ?? false}
          warnText="This root key expires within 30 days. When it expires, the cluster can no longer read its secrets."
          helperText="Keys used before by this cluster, disabled or expired keys cannot be picked."
        />
        <Checkbox
          id="public-endpoint"
          labelText="Use public service endpoint"
          helperText="By default the private service endpoint is used to reach the KMS instance."
          checked={publicEndpoint}
          onChange={(_event, { checked }) => form.setPublicEndpoint(checked)}
        />
      </div>
    </Modal>
  );
}
