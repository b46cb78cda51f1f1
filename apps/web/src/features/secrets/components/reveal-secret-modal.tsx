import {
  InlineLoading,
  Modal,
  StructuredListBody,
  StructuredListCell,
  StructuredListHead,
  StructuredListRow,
  StructuredListWrapper,
} from '@carbon/react';
import { count } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useSecretValues } from '../api/get-secret-values.ts';
import type { SecretDialogProps } from '../api/get-secrets.ts';
import { fromBase64Text } from '../lib/hexdump.ts';

/** Shows a secret's values, which the user asked to see; they are fetched now and not kept. */
export function RevealSecretModal({ clusterId, secret, onClose }: SecretDialogProps) {
  const values = useSecretValues(clusterId, secret);
  return (
    <Modal
      open
      passiveModal
      modalHeading={`Reveal secret ${secret.namespace}/${secret.name}`}
      onRequestClose={onClose}
      // Focus starts in the content: on the Close button, its tooltip would take the first Escape.
      hasScrollingContent
      aria-label={`Reveal secret ${secret.namespace}/${secret.name}`}
      selectorPrimaryFocus=".cds--modal-content"
    >
      {values.isPending && <InlineLoading description="Decrypting…" />}
      {values.isError && <ErrorState title="The values could not be read" error={values.error} />}
      {values.data && (
        <StructuredListWrapper aria-label="Secret values">
          <StructuredListHead>
            <StructuredListRow head>
              <StructuredListCell head>Key</StructuredListCell>
              <StructuredListCell head>Value</StructuredListCell>
            </StructuredListRow>
          </StructuredListHead>
          <StructuredListBody>
            {Object.entries(values.data.data).map(([key, value]) => (
              <StructuredListRow key={key}>
                <StructuredListCell>{key}</StructuredListCell>
                <StructuredListCell>
                  <code>
                    {fromBase64Text(value) ?? `(binary, ${count(value.length)} base64 characters)`}
                  </code>
                </StructuredListCell>
              </StructuredListRow>
            ))}
          </StructuredListBody>
        </StructuredListWrapper>
      )}
    </Modal>
  );
}
