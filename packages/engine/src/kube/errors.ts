/** How a call to a connected cluster's API server failed, in words a caller can act on. */
export type KubeFailure =
  | 'UNREACHABLE'
  | 'DENIED'
  | 'BAD_CERTIFICATE'
  | 'TOKEN_REFUSED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'EXPIRED'
  | 'THROTTLED'
  | 'SERVER_ERROR';

export class KubeError extends Error {
  override name = 'KubeError';
  constructor(
    readonly failure: KubeFailure,
    message: string,
    readonly status?: number,
    /** With EXPIRED (410): the token the API server offers to go on from where the list was. */
    readonly continueToken?: string,
  ) {
    super(message);
  }
}

/** Whether `err` is the API server's answer of this kind (a KubeError with this failure). */
export const isKubeFailure = (err: unknown, failure: KubeFailure): err is KubeError =>
  err instanceof KubeError && err.failure === failure;

export const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

export const tooLarge = (method: string, path: string, maxBytes: number) =>
  new KubeError(
    'SERVER_ERROR',
    `${method} ${path.split('?')[0]} answered more than ${maxBytes / 1024 / 1024} MiB; Keyhaven reads no more`,
  );

/**
 * The continue token a 410 Status carries (metav1.Status's ListMeta): it lists on from the same
 * place at the current revision, as kube-storage-version-migrator goes on after a compaction.
 */
function offeredContinue(body: unknown): string | undefined {
  const metadata = body && typeof body === 'object' && 'metadata' in body ? body.metadata : null;
  const token = metadata && typeof metadata === 'object' && 'continue' in metadata;
  const value = token ? (metadata as { continue: unknown }).continue : undefined;
  return typeof value === 'string' && value.length > 0 && value.length < 4096 ? value : undefined;
}

/**
 * The error for a non-2xx answer. It names the call and the status, never the answer's text: a
 * cluster's words are not relayed to Keyhaven's users (they may be anything, of any size).
 */
export function statusError(
  status: number,
  method: string,
  path: string,
  body: unknown,
): KubeError {
  const what = `${method} ${path.split('?')[0]}`;
  switch (status) {
    case 401:
      return new KubeError('TOKEN_REFUSED', 'the API server refused the token (401)', status);
    case 403:
      return new KubeError('FORBIDDEN', `${what} is forbidden (403)`, status);
    case 404:
      return new KubeError('NOT_FOUND', `${what}: not found`, status);
    case 409:
      return new KubeError('CONFLICT', `${what}: the object changed meanwhile (409)`, status);
    case 410:
      return new KubeError(
        'EXPIRED',
        `${what}: the list continue token expired`,
        status,
        offeredContinue(body),
      );
    case 429:
      return new KubeError('THROTTLED', `${what}: the API server asks to slow down`, status);
    default:
      return new KubeError('SERVER_ERROR', `${what} answered ${status}`, status);
  }
}
