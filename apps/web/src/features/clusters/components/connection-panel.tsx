import { useState } from 'react';
import { Button, CodeSnippet, Modal, Tag } from '@carbon/react';
import { useNavigate } from 'react-router';
import type { Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import { DangerModal } from '../../../shared/ui/danger-modal.tsx';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { SummaryRow } from '../../../shared/ui/summary-row.tsx';
import { Ago, Timestamp } from '../../../shared/ui/time.tsx';
import { WhyNot, needsPlatformRole } from '../../../shared/ui/why-not.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useDisconnectCluster } from '../api/disconnect-cluster.ts';
import { useRemovePlugin } from '../api/remove-plugin.ts';
import { usePluginSetup } from '../api/setup-plugin.ts';
import { PluginKeysRow } from './plugin-keys.tsx';

type Connected = Cluster & { connection: NonNullable<Cluster['connection']> };

/** A file the user downloads, made in the browser from text it already holds. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

function SetupFiles({ setup }: { setup: KmsPluginSetup }) {
  const files = [
    {
      name: 'encryption-configuration.yaml',
      text: setup.encryptionConfiguration,
      what: "The API server's --encryption-provider-config: Secrets through the plug-in, identity to read what was stored before.",
    },
    {
      name: 'kmsplugin-config.yaml',
      text: setup.pluginConfig,
      what: `The plug-in's configuration, one per API server. It holds a new API key (${setup.apiKeyId}) that only serves this cluster's plug-in: keep the file 0600.`,
    },
  ];
  return (
    <div className="kh-stack">
      {files.map((f) => (
        <div key={f.name}>
          <h4>{f.name}</h4>
          <p className="kh-muted">{f.what}</p>
          <CodeSnippet type="multi" feedback="Copied" wrapText>
            {f.text}
          </CodeSnippet>
          <Button kind="ghost" size="sm" onClick={() => download(f.name, f.text)}>
            Download {f.name}
          </Button>
        </div>
      ))}
      <p>
        Start the plug-in with <code>npm run kms-plugin -- --config kmsplugin-config.yaml</code>{' '}
        beside each API server, then restart the API server with the EncryptionConfiguration.
        Keyhaven migrates every Secret once each API server has taken the root key.
      </p>
    </div>
  );
}

/** Shows the setup files as they come (a new API key is made for each opening). */
function PluginSetupModal({
  cluster,
  setup,
  onClose,
}: {
  cluster: Connected;
  setup: ReturnType<typeof usePluginSetup>;
  onClose: () => void;
}) {
  return (
    <Modal
      open
      passiveModal
      size="lg"
      modalHeading={`Set up the KMS plug-in of ${cluster.name}`}
      onRequestClose={onClose}
    >
      {setup.data && <SetupFiles setup={setup.data} />}
      {setup.isPending && <p>Making an API key for the plug-in…</p>}
      {setup.error && <ErrorState title="The setup files could not be made" error={setup.error} />}
    </Modal>
  );
}

type Plugin = Connected['connection']['plugins'][number];

/** The danger confirmation of removing a silent plug-in: key changes stop waiting for it. */
function RemovePluginModal({
  cluster,
  plugin,
  onClose,
}: {
  cluster: Connected;
  plugin: Plugin;
  onClose: () => void;
}) {
  const remove = useRemovePlugin(cluster.id);
  const toast = useToast();
  return (
    <DangerModal
      heading={`Remove KMS plug-in ${plugin.resource}`}
      action="Remove"
      running="Removing…"
      pending={remove.isPending}
      error={remove.error}
      failed={`KMS plug-in ${plugin.resource} was not removed`}
      onClose={onClose}
      onConfirm={() =>
        remove.mutate(plugin.resource, {
          onSuccess: () => {
            toast({ kind: 'success', title: `KMS plug-in ${plugin.resource} removed` });
            onClose();
          },
        })
      }
    >
      <p>
        It last reported <Timestamp iso={plugin.reportedAt} />. Remove it only if its API server is
        gone: key changes stop waiting for it, and its API keys are revoked. An API server that
        still uses it needs Set up KMS plug-in again.
      </p>
    </DangerModal>
  );
}

/** One plug-in's line: its health, when it last reported, and Remove once it is silent. */
function PluginLine({
  plugin,
  canAdminister,
  onRemove,
}: {
  plugin: Plugin;
  canAdminister: boolean;
  onRemove: () => void;
}) {
  const healthy = plugin.healthz === 'ok';
  return (
    <li>
      <code>{plugin.resource}</code>{' '}
      {plugin.stale ? (
        <Tag type="gray" size="sm">
          Silent
        </Tag>
      ) : (
        <Tag type={healthy ? 'green' : 'red'} size="sm">
          {healthy ? 'Healthy' : plugin.healthz}
        </Tag>
      )}{' '}
      <span className="kh-muted">
        reported <Ago iso={plugin.reportedAt} />
      </span>
      {plugin.stale && canAdminister && (
        <Button kind="danger--ghost" size="sm" onClick={onRemove}>
          Remove {plugin.resource}
        </Button>
      )}
    </li>
  );
}

/** The danger confirmation of Disconnect; on success, back to the clusters list. */
function DisconnectModal({ cluster, onClose }: { cluster: Connected; onClose: () => void }) {
  const disconnect = useDisconnectCluster(cluster.id);
  const navigate = useNavigate();
  const toast = useToast();
  return (
    <DangerModal
      heading={`Disconnect cluster ${cluster.name}`}
      action="Disconnect"
      running="Disconnecting…"
      pending={disconnect.isPending}
      error={disconnect.error}
      failed="The cluster was not disconnected"
      onClose={onClose}
      onConfirm={() =>
        disconnect.mutate(undefined, {
          onSuccess: () => {
            toast({ kind: 'success', title: `Cluster ${cluster.name} disconnected` });
            void navigate('/clusters');
          },
        })
      }
    >
      <p>
        Keyhaven forgets the token and the etcd access, and the API keys of the cluster&apos;s KMS
        plug-in stop working. The cluster itself is not changed.
      </p>
    </DangerModal>
  );
}

/**
 * A connected cluster's connection: its API server, etcd access for Verify, what each KMS
 * plug-in last reported, the plug-in's setup files and Disconnect (only while KMS is off, R5).
 */
export function ConnectionPanel({
  cluster,
  canAdminister,
}: {
  cluster: Connected;
  canAdminister: boolean;
}) {
  const { connection } = cluster;
  const setup = usePluginSetup(cluster.id);
  const [showSetup, setShowSetup] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState<Plugin>();
  const kmsOn = cluster.kms !== null;
  const whyNotAdminister = canAdminister ? undefined : needsPlatformRole('Administrator');
  const whyNotDisconnect = kmsOn
    ? 'Is not possible. KMS is enabled: it cannot be disabled, so the cluster stays connected'
    : undefined;
  return (
    <section aria-labelledby="connection-heading" className="kh-summary">
      <h2 id="connection-heading">Connection</h2>
      <div role="table" aria-label="Connection">
        <SummaryRow label="API server" loading={false} failed={false}>
          <code>{connection.server}</code>{' '}
          <span className="kh-muted">
            connected <Timestamp iso={connection.connectedAt} />
          </span>
        </SummaryRow>
        <SummaryRow label="etcd access" loading={false} failed={false}>
          {connection.etcd
            ? 'Given: Verify shows the bytes etcd stores'
            : 'Not given: Verify cannot show what etcd stores'}
        </SummaryRow>
        <SummaryRow label="KMS plug-ins" loading={false} failed={false}>
          {connection.plugins.length === 0 ? (
            <span>None has reported yet: set up the plug-in beside each API server.</span>
          ) : (
            <ul>
              {connection.plugins.map((p) => (
                <PluginLine
                  key={p.resource}
                  plugin={p}
                  canAdminister={canAdminister}
                  onRemove={() => setRemoving(p)}
                />
              ))}
            </ul>
          )}
        </SummaryRow>
        {canAdminister && <PluginKeysRow clusterId={cluster.id} />}
      </div>
      <div className="kh-actions">
        <Button
          kind="tertiary"
          size="sm"
          disabled={!canAdminister}
          aria-describedby={whyNotAdminister ? 'connection-why' : undefined}
          onClick={() => {
            setShowSetup(true);
            setup.mutate();
          }}
        >
          Set up KMS plug-in
        </Button>
        <Button
          kind="danger--tertiary"
          size="sm"
          disabled={!canAdminister || kmsOn}
          aria-describedby={
            whyNotAdminister ? 'connection-why' : whyNotDisconnect ? 'disconnect-why' : undefined
          }
          onClick={() => setConfirming(true)}
        >
          Disconnect
        </Button>
      </div>
      {whyNotAdminister ? (
        <WhyNot id="connection-why" action="Managing the connection" reason={whyNotAdminister} />
      ) : (
        whyNotDisconnect && (
          <WhyNot id="disconnect-why" action="Disconnect" reason={whyNotDisconnect} />
        )
      )}
      {showSetup && (
        <PluginSetupModal cluster={cluster} setup={setup} onClose={() => setShowSetup(false)} />
      )}
      {confirming && <DisconnectModal cluster={cluster} onClose={() => setConfirming(false)} />}
      {removing && (
        <RemovePluginModal
          cluster={cluster}
          plugin={removing}
          onClose={() => setRemoving(undefined)}
        />
      )}
    </section>
  );
}
