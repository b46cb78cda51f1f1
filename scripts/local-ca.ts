// A local certificate authority for Keyhaven over TLS on one machine: `npm start -- --tls` serves
// the console and the engine with its server certificate, and the tests give KMS plug-ins its
// client certificates. Made with openssl into its own 0700 folder; keys are 0600.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LocalCa {
  dir: string;
  caFile: string;
  caKeyFile: string;
}

export interface Issued {
  certFile: string;
  keyFile: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** The CA in `dir`: made on first use (valid 825 days), reused afterwards. */
export function localCa(dir: string): LocalCa {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  const ca = { dir: root, caFile: join(root, 'ca.pem'), caKeyFile: join(root, 'ca-key.pem') };
  if (!existsSync(ca.caFile)) {
    openssl([
      ...['req', '-x509', ...P256, '-days', '825', '-subj', '/CN=Keyhaven local CA'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE'],
      ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      ...['-keyout', ca.caKeyFile, '-out', ca.caFile],
    ]);
    chmodSync(ca.caKeyFile, 0o600);
  }
  return ca;
}

/**
 * A certificate of the CA for `name`: a server's (for localhost and 127.0.0.1, and `hosts`) or a
 * client's (a KMS plug-in's), valid `days` days.
 */
export function issue(
  ca: LocalCa,
  name: string,
  use: 'server' | 'client',
  { hosts = [] as string[], days = 365 } = {},
): Issued {
  const keyFile = join(ca.dir, `${name}-key.pem`);
  const certFile = join(ca.dir, `${name}.pem`);
  const csr = join(ca.dir, `${name}.csr`);
  const ext = join(ca.dir, `${name}.ext`);
  const names = [
    'DNS:localhost',
    'IP:127.0.0.1',
    ...hosts.map((h) => (/^[\d.:]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)),
  ];
  writeFileSync(
    ext,
    use === 'server'
      ? `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`
      : 'extendedKeyUsage=clientAuth\n',
  );
  openssl(['req', ...P256, '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr]);
  chmodSync(keyFile, 0o600);
  openssl([
    ...['x509', '-req', '-in', csr, '-CA', ca.caFile, '-CAkey', ca.caKeyFile],
    ...['-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', certFile],
  ]);
  return { certFile, keyFile };
}

// `node --import tsx scripts/local-ca.ts <dir>` (npm start -- --tls): the CA and a server
// certificate for this machine in <dir>, reused while valid; prints their paths as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  const ca = localCa(process.argv[2] ?? 'data/tls');
  const serverFile = join(ca.dir, 'server.pem');
  const server = existsSync(serverFile)
    ? { certFile: serverFile, keyFile: join(ca.dir, 'server-key.pem') }
    : issue(ca, 'server', 'server');
  process.stdout.write(`${JSON.stringify({ caFile: ca.caFile, ...server })}\n`);
}
