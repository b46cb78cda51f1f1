import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { EngineTransport } from '@keyhaven/contracts';

/**
 * The CLI's transport: node:http(s) to the API URL. A command is one process and one or two
 * requests, and fetch (undici) takes about as long to load as the whole exchange.
 */
export const httpTransport =
  (baseUrl: string): EngineTransport =>
  ({ method, path, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      const url = new URL(`${baseUrl}${path}`);
      const send = url.protocol === 'https:' ? https.request : http.request;
      const req = send(url, { method, headers, ...(signal && { signal }) }, (res) => {
        resolve({
          status: res.statusCode ?? 0,
          headers: {
            get: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text: async () => {
            res.setEncoding('utf8');
            let text = '';
            for await (const chunk of res) text += String(chunk);
            return text;
          },
          // A stream only when asked for (a status watch): reading it consumes the response.
          get body() {
            return Readable.toWeb(res) as ReadableStream<Uint8Array>;
          },
        });
      });
      req.on('error', reject);
      req.end(body);
    });
