/**
 * The key_id the plug-in reports to the API server. It names the root key version in use and the
 * plug-in's registration with that key: a rotation changes the version, and moving to another key
 * and back mints a new registration, so an id never repeats. Decrypt reads the instance, key and
 * version back from it, so a value written before a rotation or a key change still opens.
 */
export interface KeyRef {
  instanceId: string;
  keyId: string;
  versionId: string;
  registrationId: string;
}

const PREFIX = 'keyhaven:v1';
const PART = /^[A-Za-z0-9._-]{1,64}$/;

export const formatKeyId = (ref: KeyRef): string =>
  [PREFIX, ref.instanceId, ref.keyId, ref.versionId, ref.registrationId].join(':');

/** The parts of a key_id this plug-in wrote, or undefined for any other string. */
export function parseKeyId(keyId: string): KeyRef | undefined {
  if (!keyId.startsWith(`${PREFIX}:`) || keyId.length > 1024) return undefined;
  const parts = keyId.slice(PREFIX.length + 1).split(':');
  if (parts.length !== 4 || !parts.every((p) => PART.test(p))) return undefined;
  const [instanceId = '', keyId_ = '', versionId = '', registrationId = ''] = parts;
  return { instanceId, keyId: keyId_, versionId, registrationId };
}
