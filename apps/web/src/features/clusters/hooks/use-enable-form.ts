import { useState } from 'react';
import type { ClusterOverview, EnableOptions, KmsInstance } from '@keyhaven/contracts';
import { useEnableOptions } from '../api/get-enable-options.ts';

export type KeyOption = EnableOptions['keys'][number];

/**
 * The Enable/Update form: the instance, root key and endpoint chosen, and the options the server
 * offers for them. Update starts from what the cluster uses, its instance and endpoint (R12), at
 * each opening (not when the cluster refreshes while the form is open). Carbon reports the reset
 * of the last choice as a change, so the choice is cleared at each opening too.
 */
export function useEnableForm(
  clusterId: string,
  open: boolean,
  current: NonNullable<ClusterOverview['kms']> | null,
) {
  const [instance, setInstance] = useState<KmsInstance | null>(null);
  const [key, setKey] = useState<KeyOption | null>(null);
  const [publicEndpoint, setPublicEndpoint] = useState(false);
  const [instanceChosen, setInstanceChosen] = useState(false);
  const options = useEnableOptions(clusterId, instance?.id, open);
  const [wasOpen, setWasOpen] = useState(false);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setPublicEndpoint(current ? !current.privateEndpoint : false);
      setInstanceChosen(false);
    }
  }
  const currentInstance = options.data?.instances.find((i) => i.id === current?.instanceId);
  if (open && !instanceChosen && currentInstance && instance?.id !== currentInstance.id)
    setInstance(currentInstance);
  const keys = instance ? (options.data?.keys ?? []) : [];
  return {
    options,
    instance,
    keys,
    /** The chosen key while it is still offered and selectable. */
    selectedKey: key && keys.find((k) => k.id === key.id && k.selectable) ? key : null,
    publicEndpoint,
    chooseInstance: (chosen: KmsInstance | null) => {
      setInstance(chosen);
      setInstanceChosen(true);
      setKey(null);
    },
    chooseKey: setKey,
    setPublicEndpoint,
    reset: () => {
      setInstance(null);
      setInstanceChosen(false);
      setKey(null);
      setPublicEndpoint(false);
    },
  };
}
