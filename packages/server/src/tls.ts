import { accessSync, constants, readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Where a server's certificate, its key and (for mTLS) the client CA are. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Client certificates signed by this CA are verified (and asked for, never demanded). */
  clientCaFile?: string | undefined;
}

/** What the files hold, for `https.createServer` and `setSecureContext`. */
export function readTls(files: TlsFiles) {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(
        `the TLS ${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  return {
    cert: read('certificate', files.certFile),
    key: read('key', files.keyFile),
    ...(files.clientCaFile && { ca: read('client CA', files.clientCaFile) }),
  };
}

/** How often the files are looked at for a new certificate (a renewed Secret, a rotated CA). */
export const TLS_RELOAD_CHECK_MS = 2_000;

/**
 * Serves the certificate the files hold now: when one of them changes the server takes the new
 * ones for the next handshakes; files that do not load (half-written) leave the old ones serving.
 */
export function reloadTlsOnChange(server: HttpsServer, files: TlsFiles, log: Logger): () => void {
  const paths = [files.certFile, files.keyFile, files.clientCaFile].filter(
    (f): f is string => f !== undefined,
  );
  const reload = () => {
    try {
      server.setSecureContext(readTls(files));
      log.info({ files: paths }, 'TLS certificate reloaded');
    } catch (err) {
      log.warn(
        { err: (err as Error).message },
        'TLS files changed but do not load; keeping the old',
      );
    }
  };
  for (const path of paths)
    watchFile(path, { interval: TLS_RELOAD_CHECK_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload();
    });
  return () => {
    for (const path of paths) unwatchFile(path);
  };
}

/**
 * The verified client certificate's subject on this request, or why there is none: with a
 * client CA set the server asks every client for a certificate and lets the route decide.
 */
export function clientCertificate(
  req: Request,
): { verified: true; subject: string } | { verified: false; reason: string } {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted) return { verified: false, reason: 'the connection is not TLS' };
  if (socket.authorized) {
    const cn = socket.getPeerCertificate?.().subject?.CN;
    return { verified: true, subject: Array.isArray(cn) ? cn.join(',') : (cn ?? '') };
  }
  const error = socket.authorizationError;
  const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
  return {
    verified: false,
    reason: presented
      ? `its client certificate was refused (${String(error)})`
      : 'it presented no client certificate',
  };
}

const file = z.string().min(1);

/** The TLS settings of a server (engine, BFF): a certificate and key, both or neither. */
export const TLS_SETTINGS = {
  /** PEM certificate (chain) the server presents; with KEYHAVEN_TLS_KEY_FILE it serves HTTPS. */
  KEYHAVEN_TLS_CERT_FILE: file.optional(),
  KEYHAVEN_TLS_KEY_FILE: file.optional(),
};

/** Names what is wrong with the TLS settings: half of a pair, or a file that cannot be read. */
export function checkTlsSettings(
  c: Record<string, unknown>,
  issue: (path: string, message: string) => void,
  names: string[] = ['KEYHAVEN_TLS_CERT_FILE', 'KEYHAVEN_TLS_KEY_FILE'],
) {
  const [cert, key] = names.map((n) => c[n]);
  if ((cert === undefined) !== (key === undefined))
    issue(
      cert === undefined ? 'KEYHAVEN_TLS_CERT_FILE' : 'KEYHAVEN_TLS_KEY_FILE',
      'set both KEYHAVEN_TLS_CERT_FILE and KEYHAVEN_TLS_KEY_FILE to serve HTTPS, or neither',
    );
  for (const name of names) {
    const path = c[name];
    if (typeof path !== 'string') continue;
    try {
      accessSync(path, constants.R_OK);
    } catch {
      issue(name, `cannot read ${path}`);
    }
  }
}
