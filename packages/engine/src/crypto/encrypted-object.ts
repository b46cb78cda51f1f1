import protobuf from 'protobufjs';

/**
 * Kubernetes' KMS v2 EncryptedObject (k8s.io/apiserver/pkg/storage/value/encrypt/envelope/kmsv2/v2),
 * declared with the same field numbers so that the stored bytes match what an API server writes.
 */
const EncryptedObjectType = new protobuf.Type('EncryptedObject')
  .add(new protobuf.Field('encryptedData', 1, 'bytes'))
  .add(new protobuf.Field('keyID', 2, 'string'))
  .add(new protobuf.Field('encryptedDEKSource', 3, 'bytes'))
  .add(new protobuf.MapField('annotations', 4, 'string', 'bytes'))
  .add(new protobuf.Field('encryptedDEKSourceType', 5, 'EncryptedDEKSourceType'));

new protobuf.Root()
  .define('v2')
  .add(
    new protobuf.Enum('EncryptedDEKSourceType', {
      AES_GCM_KEY: 0,
      HKDF_SHA256_XNONCE_AES_GCM_SEED: 1,
    }),
  )
  .add(EncryptedObjectType);

export const DekSourceType = { AES_GCM_KEY: 0, HKDF_SHA256_XNONCE_AES_GCM_SEED: 1 } as const;
export type DekSourceType = (typeof DekSourceType)[keyof typeof DekSourceType];

export interface EncryptedObject {
  encryptedData: Uint8Array;
  keyID: string;
  encryptedDEKSource: Uint8Array;
  annotations: Record<string, Uint8Array>;
  encryptedDEKSourceType: DekSourceType;
}

export function encodeEncryptedObject(object: EncryptedObject): Uint8Array {
  return EncryptedObjectType.encode(object).finish();
}

/** protobufjs gives an absent bytes field as a plain empty array: always a Uint8Array here. */
const asBytes = (value: unknown): Uint8Array =>
  value instanceof Uint8Array ? value : new Uint8Array();

/** Throws on bytes that are not an EncryptedObject; absent fields read as protobuf's defaults. */
export function decodeEncryptedObject(bytes: Uint8Array): EncryptedObject {
  const decoded = EncryptedObjectType.decode(bytes) as unknown as EncryptedObject;
  return {
    encryptedData: asBytes(decoded.encryptedData),
    keyID: decoded.keyID,
    encryptedDEKSource: asBytes(decoded.encryptedDEKSource),
    annotations: decoded.annotations,
    encryptedDEKSourceType: decoded.encryptedDEKSourceType,
  };
}
