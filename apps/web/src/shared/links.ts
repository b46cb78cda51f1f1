/** The console's page of a root key (features link to it without importing the kms feature). */
export const rootKeyPage = (instanceId: string, keyId: string) =>
  `/kms/${encodeURIComponent(instanceId)}/keys/${encodeURIComponent(keyId)}`;
