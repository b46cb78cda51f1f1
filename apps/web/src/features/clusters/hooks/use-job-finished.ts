import { useEffect, useRef } from 'react';
import { useToast } from '../../../shared/ui/toasts.tsx';
import type { LiveStatus } from './master-status.ts';

/** The toasts about a cluster's key management share one topic: the latest replaces the rest. */
export const kmsTopic = (clusterId: string) => `kms:${clusterId}`;

/**
 * Says when a re-encryption job this page watched finishes: Ready with the key in use, or the
 * status it ended in. It replaces the "started" toast, which would otherwise outlive Ready.
 */
export function useJobFinished(
  clusterId: string,
  clusterName: string | undefined,
  rootKeyName: string | undefined,
  status: LiveStatus | undefined,
) {
  const toast = useToast();
  const running = useRef(false);
  const progress = status?.progress;
  const health = status?.health;
  const message = status?.message;
  useEffect(() => {
    const wasRunning = running.current;
    running.current = progress !== null && progress !== undefined;
    if (!wasRunning || running.current || health === undefined) return;
    const name = clusterName ?? clusterId;
    toast(
      health === 'normal'
        ? {
            kind: 'success',
            title: `${name} is Ready`,
            subtitle: `Every secret is encrypted under root key ${rootKeyName ?? 'the new root key'}.`,
            topic: kmsTopic(clusterId),
          }
        : {
            kind: health === 'critical' ? 'error' : 'warning',
            title: `The re-encryption of ${name} stopped`,
            subtitle: message ?? '',
            topic: kmsTopic(clusterId),
          },
    );
  }, [progress, health, message, clusterId, clusterName, rootKeyName, toast]);
}
