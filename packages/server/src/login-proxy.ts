import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * The console's BFF logs users in through the engine, so the engine sees one address for every
 * console user. The BFF names the user's address in a header, and proves it is the BFF with a
 * key both read from a 0600 file in their data directory; anyone else's header is ignored.
 */
export const CLIENT_ADDRESS_HEADER = 'x-keyhaven-client-address';
export const PROXY_KEY_HEADER = 'x-keyhaven-login-proxy-key';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The caller's address: the socket's, or the one the BFF names when it shows the proxy key. */
export function clientAddress(req: Request, proxyKey: string | undefined): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  const given = req.headers[CLIENT_ADDRESS_HEADER];
  const key = req.headers[PROXY_KEY_HEADER];
  if (proxyKey && typeof given === 'string' && typeof key === 'string' && same(key, proxyKey))
    return given.slice(0, 64);
  return socket;
}
