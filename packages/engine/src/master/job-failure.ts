import { EngineError, unavailable } from '../domain/errors.ts';
import { adapterFailure } from '../domain/keys.ts';
import { KeyAdapterError } from '../keys/types.ts';
import { StoreUnavailableError } from '../store/types.ts';
import { KubeError } from '../kube/client.ts';

/** What a failed batch means for its job; every kind is retried, with backoff. */
export type JobFailureKind = 'refused' | 'store' | 'unexpected';

export interface JobFailure {
  kind: JobFailureKind;
  /** What Master status and the job record say while the job waits to retry. */
  problem: EngineError;
}

/**
 * Classifies why a batch failed: a rule, the root key or its adapter refused or is unreachable, the store
 * lost its quorum or connection, or something unexpected (logged with its stack).
 */
export function classifyJobFailure(err: unknown): JobFailure {
  if (err instanceof EngineError || err instanceof KeyAdapterError)
    return { kind: 'refused', problem: adapterFailure(err) };
  if (err instanceof KubeError)
    return {
      kind: 'refused',
      problem: unavailable(
        'CLUSTER_UNAVAILABLE',
        `The cluster's API server failed: ${err.message}.`,
      ),
    };
  if (err instanceof StoreUnavailableError)
    return {
      kind: 'store',
      problem: unavailable(
        'STORE_UNAVAILABLE',
        'The store is unavailable (no quorum or no connection); the job resumes when it is back.',
      ),
    };
  return {
    kind: 'unexpected',
    problem: new EngineError(
      500,
      'JOB_FAILED',
      'The re-encryption job hit an unexpected error; it will retry.',
    ),
  };
}
