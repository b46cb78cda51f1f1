import { parseKeyId, type RawSecret } from '@keyhaven/contracts';
import { kmsPrefix, parseKmsPrefix } from '../crypto/envelope.ts';
import { decodeEncryptedObject } from '../crypto/encrypted-object.ts';

/**
 * A stored value as Verify shows it: its bytes, its KMS prefix, and the root key version its DEK
 * seed is wrapped under, read from the EncryptedObject's key_id without opening anything (null
 * for a plain value, or a key_id Keyhaven did not write).
 */
export function rawSecret(storeKey: string, bytes: Buffer): RawSecret {
  const provider = parseKmsPrefix(bytes);
  let keyId: string | null = null;
  if (provider)
    try {
      keyId = decodeEncryptedObject(bytes.subarray(kmsPrefix(provider).length)).keyID || null;
    } catch {
      keyId = null;
    }
  return {
    storeKey,
    value: bytes.toString('base64'),
    prefix: provider ? kmsPrefix(provider) : null,
    encrypted: provider !== undefined,
    keyId,
    rootKey: rootKeyOf(keyId),
  };
}

function rootKeyOf(keyId: string | null) {
  const ref = keyId ? parseKeyId(keyId) : undefined;
  return ref ? { instanceId: ref.instanceId, keyId: ref.keyId, versionId: ref.versionId } : null;
}
