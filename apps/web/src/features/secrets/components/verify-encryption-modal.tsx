import { useState } from 'react';
import { Button, InlineLoading, Modal, Tag } from '@carbon/react';
import { count } from '@keyhaven/contracts';
import { Link } from 'react-router';
import { rootKeyPage } from '../../../shared/links.ts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useRawSecret } from '../api/get-stored-secret.ts';
import type { SecretDialogProps } from '../api/get-secrets.ts';
import { fromBase64, hexdump } from '../lib/hexdump.ts';

const PREVIEW = 256;

/**
 * The bytes the store holds for a secret, as `etcdctl get <key> | hexdump -C` shows them: an
 * encrypted secret starts with k8s:enc:kms:v2:<provider>:, a plain one with its JSON.
 */
export function VerifyEncryptionModal({ clusterId, secret, onClose }: SecretDialogProps) {
  const raw = useRawSecret(clusterId, secret);
  const [all, setAll] = useState(false);
  const bytes = raw.data ? fromBase64(raw.data.value) : undefined;
  return (
    <Modal
      open
      passiveModal
      size="lg"
      modalHeading={`Verify encryption of secret ${secret.namespace}/${secret.name}`}
      onRequestClose={onClose}
      // Focus starts in the content: on the Close button, its tooltip would take the first Escape.
      hasScrollingContent
      aria-label={`Verify encryption of secret ${secret.namespace}/${secret.name}`}
      selectorPrimaryFocus=".cds--modal-content"
    >
      {raw.isPending && <InlineLoading description="Reading the stored bytes…" />}
      {raw.isError && <ErrorState title="The stored bytes could not be read" error={raw.error} />}
      {raw.data && bytes && (
        <>
          {/* A div: Carbon's Tag is a div, which a paragraph may not hold. */}
          <div className="kh-verify-summary">
            {raw.data.encrypted ? (
              <Tag type="green">Encrypted with KMS</Tag>
            ) : (
              <Tag type="warm-gray">Not encrypted with KMS</Tag>
            )}
            {raw.data.prefix
              ? ` The stored value starts with ${raw.data.prefix}`
              : ' The stored value is the plain secret (no KMS prefix).'}
          </div>
          {raw.data.rootKey && (
            <p>
              Its DEK seed is wrapped under version{' '}
              <code>{raw.data.rootKey.versionId.slice(0, 8)}</code> of root key{' '}
              <Link
                className="cds--link"
                to={rootKeyPage(raw.data.rootKey.instanceId, raw.data.rootKey.keyId)}
              >
                {raw.data.rootKey.keyId}
              </Link>{' '}
              (key_id <code className="kh-wrap-anywhere">{raw.data.keyId}</code>).
            </p>
          )}
          <p className="kh-verify-command">
            <code>etcdctl get {raw.data.storeKey} | hexdump -C</code>
          </p>
          {/* A scrolling region must be reachable by keyboard (WCAG 2.1.1; axe scrollable-region-focusable). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <pre className="kh-hexdump" aria-label="Stored bytes as a hex dump" tabIndex={0}>
            {hexdump(bytes, all ? bytes.length : PREVIEW).join('\n')}
          </pre>
          {bytes.length > PREVIEW && (
            <Button kind="ghost" size="sm" onClick={() => setAll((a) => !a)}>
              {all ? 'Show the first 256 bytes' : `Show all ${count(bytes.length)} bytes`}
            </Button>
          )}
        </>
      )}
    </Modal>
  );
}
