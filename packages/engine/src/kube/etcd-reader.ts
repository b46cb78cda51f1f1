import { Etcd3 } from 'etcd3';

/** A connected cluster's etcd, as its API server reaches it: endpoints and a client certificate. */
export interface EtcdAccessOpened {
  endpoints: string[];
  caCertificate: string;
  clientCertificate: string;
  clientKey: string;
}

const DIAL_TIMEOUT_MS = 5_000;

/**
 * Reads the bytes the cluster's etcd holds under each key (what `etcdctl get` shows), over TLS
 * with the client certificate; a key etcd does not hold is absent from the answer.
 */
export async function readEtcd(
  access: EtcdAccessOpened,
  keys: string[],
): Promise<Map<string, Buffer>> {
  const client = new Etcd3({
    hosts: access.endpoints,
    credentials: {
      rootCertificate: Buffer.from(access.caCertificate),
      certChain: Buffer.from(access.clientCertificate),
      privateKey: Buffer.from(access.clientKey),
    },
    dialTimeout: DIAL_TIMEOUT_MS,
    defaultCallOptions: () => ({ deadline: new Date(Date.now() + DIAL_TIMEOUT_MS) }),
  });
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
