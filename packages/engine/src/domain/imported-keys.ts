import { conflict } from './errors.ts';
import type { RootKeyRecord } from './records.ts';

/** Whether the key's material was brought in (bring your own key) rather than made here. */
export const isImported = (key: RootKeyRecord) => key.versions.some((v) => v.imported === true);

/** Refuses (409) rotating an imported key: Keyhaven cannot make its next material. */
export const importedKeyRotation = (key: RootKeyRecord) =>
  conflict(
    'IMPORTED_KEY_ROTATION',
    `Root key ${key.name} was imported, so Keyhaven cannot make its next version: import new key material as a new root key and Update the clusters to it.`,
  );
