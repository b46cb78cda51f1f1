import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';

/** A connected cluster's etcd, as its API server reaches it: endpoints and a client certificate. */
export interface EtcdAccessOpened {
  endpoints: string[];
  caCertificate: string;
  clientCertificate: string;
  clientKey: string;
}

const DIAL_TIMEOUT_MS = 5_000;

/** The name a channel to an IP address sends in TLS's SNI, where an address may not go. */
export const ADDRESS_SNI = 'etcd.keyhaven.invalid';

/**
 * grpc-js sends the host it dials as TLS's server name (SNI), an IP address too, which Node 24
 * warns about and Node 26 refuses (RFC 6066). A channel to an address (most etcd endpoints) sends
 * a placeholder name instead and checks the certificate against the address itself, exactly as
 * before; a channel to a host name is left as grpc-js makes it.
 */
export function addressSafeChannels(access: EtcdAccessOpened): grpc.ClientOptions {
  const factory = (
    address: string,
    given: grpc.ChannelCredentials,
    options: grpc.ChannelOptions,
  ) => {
    const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!isIP(host)) return new grpc.Channel(address, given, options);
    const credentials = grpc.credentials.createSsl(
      Buffer.from(access.caCertificate),
      Buffer.from(access.clientKey),
      Buffer.from(access.clientCertificate),
      {
        checkServerIdentity: (_name: string, peer: PeerCertificate) =>
          checkServerIdentity(host, peer),
      },
    );
    return new grpc.Channel(address, credentials, {
      ...options,
      'grpc.ssl_target_name_override': ADDRESS_SNI,
      'grpc.default_authority': address,
    });
  };
  return { channelFactoryOverride: factory };
}

/** A client of the cluster's etcd over TLS with its client certificate; each call has a deadline. */
function openEtcd(access: EtcdAccessOpened, deadlineMs: number): Etcd3 {
  return new Etcd3({
    hosts: access.endpoints,
    credentials: {
      rootCertificate: Buffer.from(access.caCertificate),
      certChain: Buffer.from(access.clientCertificate),
      privateKey: Buffer.from(access.clientKey),
    },
    grpcOptions: addressSafeChannels(access),
    dialTimeout: DIAL_TIMEOUT_MS,
    defaultCallOptions: () => ({ deadline: new Date(Date.now() + deadlineMs) }),
  });
}

/**
 * Reads the bytes the cluster's etcd holds under each key (what `etcdctl get` shows), over TLS
 * with the client certificate; a key etcd does not hold is absent from the answer.
 */
export async function readEtcd(
  access: EtcdAccessOpened,
  keys: string[],
): Promise<Map<string, Buffer>> {
  const client = openEtcd(access, DIAL_TIMEOUT_MS);
  try {
    const values = new Map<string, Buffer>();
    for (const key of keys) {
      const value = await client.get(key).buffer();
      if (value) values.set(key, value);
    }
    return values;
  } finally {
    client.close();
  }
}

const PAGE = 500;

/**
 * Every key and value etcd holds under the prefix, a page at a time in key order, handed to
 * `each` page by page (a cluster's Secrets need not fit in memory at once).
 */
export async function scanEtcd(
  access: EtcdAccessOpened,
  prefix: string,
  each: (page: { key: string; value: Buffer }[]) => void,
): Promise<void> {
  const client = openEtcd(access, DIAL_TIMEOUT_MS * 6);
  try {
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    let start = prefix;
    for (;;) {
      const { kvs } = await client
        .getAll()
        .inRange({ start, end })
        .sort('Key', 'Ascend')
        .limit(PAGE)
        .exec();
      each(kvs.map((kv) => ({ key: kv.key.toString(), value: kv.value })));
      const last = kvs.at(-1);
      if (kvs.length < PAGE || !last) return;
      start = `${last.key.toString()}\u0000`;
    }
  } finally {
    client.close();
  }
}

/** What Keyhaven reads from a connected cluster's etcd: some keys, or a whole prefix in pages. */
export interface EtcdReader {
  read(keys: string[]): Promise<Map<string, Buffer>>;
  scan(prefix: string, each: (page: { key: string; value: Buffer }[]) => void): Promise<void>;
}

/** Reads the etcd these credentials open, a connection per call. */
export const etcdReaderOf = (access: EtcdAccessOpened): EtcdReader => ({
  read: (keys) => readEtcd(access, keys),
  scan: (prefix, each) => scanEtcd(access, prefix, each),
});
