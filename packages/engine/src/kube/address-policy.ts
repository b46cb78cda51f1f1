import { BlockList, isIP } from 'node:net';
import { lookup, type LookupAddress } from 'node:dns';

/**
 * Addresses Keyhaven never connects to for a cluster, whatever URL an administrator gives:
 * link-local ranges, where clouds serve instance metadata and credentials (169.254.169.254,
 * fd00:ec2::254), and Alibaba's metadata address. KEYHAVEN_CLUSTER_DENY replaces the list.
 */
export const DEFAULT_DENIED = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128',
  '100.100.100.200/32',
];

/** Which addresses a connected cluster's API server or etcd may not be at. */
export class AddressPolicy {
  private readonly denied = new BlockList();

  constructor(readonly cidrs: readonly string[] = DEFAULT_DENIED) {
    for (const cidr of cidrs) {
      const [address = '', bits = ''] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      this.denied.addSubnet(address, Number(bits || (family === 'ipv6' ? 128 : 32)), family);
    }
  }

  /** Whether an IP address (never a name) is denied. */
  denies(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.denied.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * A `lookup` for https.Agent: a name is resolved, and the connection refused (code EDENIED)
   * when any address it resolves to is denied, at every connection, not only at connect time.
   */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const bad = addresses.find((a) => this.denies(a.address));
      if (bad) return callback(deniedError(hostname), '');
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      callback(null, first?.address ?? '', first?.family);
    });
  };

  /** Refuses a URL whose host is a denied address literal (a name is checked at lookup). */
  check(url: string): void {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (this.denies(host)) throw deniedError(host);
  }
}

export const deniedError = (host: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${host} is an address Keyhaven may not reach`), { code: 'EDENIED' });
