import { useState } from 'react';
import type { ClusterOverview, EnableOptions, KmsInstance } from '@keyhaven/contracts';
import { useEnableOptions } from '../api/get-enable-options.ts';

export type KeyOption = EnableOptions['keys'][number];

/**
 * The Enable/Update form: the instance, root key and endpoint chosen, and the options the server
 * offers for them. Each opening starts afresh: Update from what the cluster uses, its instance and
 * endpoint (R12), read at the opening (not when the cluster refreshes while the form is open).
 * A closing modal fades out for a moment, so the form keeps what it showed until the next opening
 * instead of flashing an empty form, or "Update" just after an Enable. Carbon reports the reset of
 * the last choice as a change, so whether the user chose an instance is cleared at each opening.
 */
export function useEnableForm(
  clusterId: string,
  open: boolean,
  opening: { mode: 'enable' | 'update'; current: NonNullable<ClusterOverview['kms']> | null },
) {
  const [instance, setInstance] = useState<KmsInstance | null>(null);
  const [key, setKey] = useState<KeyOption | null>(null);
  const [publicEndpoint, setPublicEndpoint] = useState(false);
  const [instanceChosen, setInstanceChosen] = useState(false);
  const options = useEnableOptions(clusterId, instance?.id, open);
  const [wasOpen, setWasOpen] = useState(false);
  const [shown, setShown] = useState(opening);
  const { current } = shown;
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setShown(opening);
      setInstance(null);
      setKey(null);
      setPublicEndpoint(opening.current ? !opening.current.privateEndpoint : false);
      setInstanceChosen(false);
    }
  }
  const currentInstance = options.data?.instances.find((i) => i.id === current?.instanceId);
  if (open && !instanceChosen && currentInstance && instance?.id !== currentInstance.id)
    setInstance(currentInstance);
  const keys = instance ? (options.data?.keys ?? []) : [];
  return {
    /** Enable or Update, and what the cluster used, as at the opening. */
    ...shown,
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
  };
}
