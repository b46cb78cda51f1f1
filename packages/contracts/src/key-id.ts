/**
 * The key_id a Keyhaven KMS plug-in reports to the API server. It names the root key version in
 * use and the plug-in's registration with that key: a rotation changes the version, and moving to
 * another key and back mints a new registration, so an id never repeats. Decrypt reads the
 * instance, key and version back from it, so a value written before a rotation still opens; the
 * engine counts a reported id only when its registration part is one it minted (issue 25).
 */
export interface KeyRef {
  instanceId: string;
  keyId: string;
  versionId: string;
  registrationId: string;
}

const KEY_ID_PREFIX = 'keyhaven:v1';
/**
 * An instance, root key, version or registration id as it can stand in a key_id: an engine Id
 * without ":" (the separator), of at most 64 characters. The plug-in's configuration checks its
 * ids against it.
 */
export const KEY_ID_PART = /^[A-Za-z0-9._-]{1,64}$/;

export const formatKeyId = (ref: KeyRef): string =>
  [KEY_ID_PREFIX, ref.instanceId, ref.keyId, ref.versionId, ref.registrationId].join(':');

/** Every key_id of this root key version starts so, whatever the registration. */
export const keyIdPrefix = (ref: Omit<KeyRef, 'registrationId'>): string =>
  `${KEY_ID_PREFIX}:${ref.instanceId}:${ref.keyId}:${ref.versionId}:`;

/**
 * The parts of a key_id a Keyhaven plug-in wrote, or undefined for any other string. Four parts of
 * at most 64 characters keep a key_id under 272 characters, well inside the API server's 1 KiB.
 */
export function parseKeyId(keyId: string): KeyRef | undefined {
  if (!keyId.startsWith(`${KEY_ID_PREFIX}:`)) return undefined;
  const parts = keyId.slice(KEY_ID_PREFIX.length + 1).split(':', 5);
  if (parts.length !== 4 || !parts.every((p) => KEY_ID_PART.test(p))) return undefined;
  const [instanceId, keyId_, versionId, registrationId] = parts as [string, string, string, string];
  return { instanceId, keyId: keyId_, versionId, registrationId };
}
