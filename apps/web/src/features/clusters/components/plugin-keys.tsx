import { useState } from 'react';
import { Button } from '@carbon/react';
import type { ApiKeySummary } from '@keyhaven/contracts';
import { DangerModal } from '../../../shared/ui/danger-modal.tsx';
import { SummaryRow } from '../../../shared/ui/summary-row.tsx';
import { Timestamp } from '../../../shared/ui/time.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { usePluginKeys } from '../api/get-plugin-keys.ts';
import { useRevokePluginKey } from '../api/revoke-plugin-key.ts';

/** The danger confirmation of revoking a plug-in's API key: that plug-in stops working. */
function RevokeKeyModal({
  clusterId,
  apiKey,
  onClose,
}: {
  clusterId: string;
  apiKey: ApiKeySummary;
  onClose: () => void;
}) {
  const revoke = useRevokePluginKey(clusterId);
  const toast = useToast();
  return (
    <DangerModal
      heading={`Revoke API key ${apiKey.id}`}
      action="Revoke"
      running="Revoking…"
      pending={revoke.isPending}
      error={revoke.error}
      failed={`API key ${apiKey.id} was not revoked`}
      onClose={onClose}
      onConfirm={() =>
        revoke.mutate(apiKey.id, {
          onSuccess: () => {
            toast({ kind: 'success', title: `API key ${apiKey.id} revoked` });
            onClose();
          },
        })
      }
    >
      <p>
        {apiKey.resource
          ? `The KMS plug-in of ${apiKey.resource} uses it: that plug-in stops working at once, and its API server can no longer read or write Secrets until it gets a new key from Set up KMS plug-in.`
          : 'No plug-in has used it yet. Revoke a key that was handed out but not installed.'}
      </p>
    </DangerModal>
  );
}

/**
 * The API keys that Set up KMS plug-in made for this cluster, with the API server each serves:
 * for an Administrator to revoke one that leaked or was never installed.
 */
export function PluginKeysRow({ clusterId }: { clusterId: string }) {
  const keys = usePluginKeys(clusterId, true);
  const [revoking, setRevoking] = useState<ApiKeySummary>();
  return (
    <SummaryRow label="Plug-in API keys" loading={keys.isPending} failed={keys.isError}>
      {keys.data?.length === 0 ? (
        <span>None: Set up KMS plug-in makes one.</span>
      ) : (
        <ul>
          {keys.data?.map((k) => (
            <li key={k.id}>
              <code>{k.id}</code>{' '}
              <span className="kh-muted">
                {k.resource ? `serves ${k.resource}` : 'not used yet'}, made{' '}
                <Timestamp iso={k.createdAt} />
              </span>{' '}
              <Button kind="danger--ghost" size="sm" onClick={() => setRevoking(k)}>
                Revoke {k.id}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <RevokeKeyModal
          clusterId={clusterId}
          apiKey={revoking}
          onClose={() => setRevoking(undefined)}
        />
      )}
    </SummaryRow>
  );
}
