import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSigned {
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

/**
 * A self-signed P-256 certificate, valid for a day, made by openssl into `into` (key.pem and
 * cert.pem): for the tests' TLS servers and the CA fields of a connected cluster.
 */
export function selfSigned(into: string, commonName: string, ipAddress?: string): SelfSigned {
  const keyFile = join(into, 'key.pem');
  const certFile = join(into, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-days', '1', '-subj', `/CN=${commonName}`],
      ...(ipAddress ? ['-addext', `subjectAltName=IP:${ipAddress}`] : []),
      ...['-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
    keyFile,
    certFile,
  };
}
