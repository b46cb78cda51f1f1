import { OverflowMenu, OverflowMenuItem, TableCell, TableRow, Tag } from '@carbon/react';
import { count, type SecretMeta } from '@keyhaven/contracts';
import { explained } from '../../../shared/ui/explained.ts';
import { needsPlatformRole } from '../../../shared/ui/why-not.tsx';

export const EDITOR_NEEDED = needsPlatformRole('Editor');

export type SecretDialogKind = 'reveal' | 'verify' | 'delete';

/** One secret as kubectl would list it, with whether the store holds it encrypted, and actions. */
export function SecretRow({
  secret,
  canEdit,
  onOpen,
}: {
  secret: SecretMeta;
  canEdit: boolean;
  onOpen: (kind: SecretDialogKind) => void;
}) {
  return (
    <TableRow>
      <TableCell>{secret.namespace}</TableCell>
      <TableCell className="kh-wrap-anywhere">{secret.name}</TableCell>
      <TableCell>
        {secret.encrypted ? (
          <Tag type="green">Encrypted with KMS</Tag>
        ) : (
          <Tag type="warm-gray">Not encrypted with KMS</Tag>
        )}
      </TableCell>
      <TableCell data-label="Size">{count(secret.size)} bytes</TableCell>
      <TableCell className="cds--table-column-menu">
        <OverflowMenu
          flipped
          size="sm"
          iconDescription={`Actions for ${secret.namespace}/${secret.name}`}
        >
          <OverflowMenuItem
            itemText={explained('Reveal values', canEdit ? undefined : 'needs Editor')}
            disabled={!canEdit}
            title={canEdit ? undefined : EDITOR_NEEDED}
            onClick={() => onOpen('reveal')}
          />
          {/* The stored bytes of a secret not yet under KMS are its value: Editor, as values. */}
          <OverflowMenuItem
            itemText={explained('Verify encryption', canEdit ? undefined : 'needs Editor')}
            disabled={!canEdit}
            title={canEdit ? undefined : EDITOR_NEEDED}
            onClick={() => onOpen('verify')}
          />
          <OverflowMenuItem
            itemText={explained('Delete', canEdit ? undefined : 'needs Editor')}
            isDelete
            disabled={!canEdit}
            title={canEdit ? undefined : EDITOR_NEEDED}
            onClick={() => onOpen('delete')}
          />
        </OverflowMenu>
      </TableCell>
    </TableRow>
  );
}
