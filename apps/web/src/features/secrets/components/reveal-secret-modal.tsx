import { useState } from 'react';
import {
  Button,
  CopyButton,
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

/** A value as it is shown and copied: its text, or its base64 when it is not text. */
const shownValue = (value: string) => fromBase64Text(value);

/**
 * Shows a secret's values, which the user asked to see; they are fetched now and not kept. Each
 * can be copied, and all hidden again (someone walks up to the screen).
 */
export function RevealSecretModal({ clusterId, secret, onClose }: SecretDialogProps) {
  const values = useSecretValues(clusterId, secret);
  const [hidden, setHidden] = useState(false);
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
        <Button kind="ghost" size="sm" aria-pressed={hidden} onClick={() => setHidden(!hidden)}>
          {hidden ? 'Show values' : 'Hide values'}
        </Button>
      )}
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
                  <span className="kh-secret-value">
                    <code>
                      {hidden
                        ? '••••••••'
                        : (shownValue(value) ??
                          `(binary, ${count(value.length)} base64 characters)`)}
                    </code>
                    <CopyButton
                      iconDescription={`Copy the value of ${key}`}
                      feedback="Copied"
                      // Text as shown; a binary value as its base64, which tools take back.
                      onClick={() =>
                        void navigator.clipboard?.writeText(shownValue(value) ?? value)
                      }
                    />
                  </span>
                </StructuredListCell>
              </StructuredListRow>
            ))}
          </StructuredListBody>
        </StructuredListWrapper>
      )}
    </Modal>
  );
}
