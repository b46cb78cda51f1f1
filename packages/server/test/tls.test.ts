import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Server as HttpsServer } from 'node:https';
import express from 'express';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { issue, localCa } from '../../../scripts/local-ca.ts';
import { createHttpServer, reloadTlsOnChange } from '../src/index.ts';

/** Issue 26: HTTPS from files, and a renewed certificate served without a restart. */
const dir = mkdtempSync(join(tmpdir(), 'kh-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The subject of the certificate the server presents to a client trusting `ca`. */
const presented = (port: number, ca: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(ca),
      servername: 'localhost',
    });
    socket.once('secureConnect', () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(String(cn));
    });
    socket.once('error', reject);
  });

describe('HTTPS from certificate files', () => {
  it('serves the certificate, and the next one when the files change', async () => {
    const first = localCa(join(dir, 'first'));
    const second = localCa(join(dir, 'second'));
    const a = issue(first, 'server-a', 'server');
    const b = issue(second, 'server-b', 'server');
    const live = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    copyFileSync(a.certFile, live.certFile);
    copyFileSync(a.keyFile, live.keyFile);
    const server = createHttpServer(express(), live).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const stop = reloadTlsOnChange(server as HttpsServer, live, pino({ level: 'silent' }));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await presented(port, first.caFile)).toBe('server-a');
      // A half-written pair (the key of another certificate) keeps the old one serving.
      copyFileSync(b.keyFile, live.keyFile);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await presented(port, first.caFile)).toBe('server-a');
      copyFileSync(b.certFile, live.certFile);
      let subject = '';
      for (let i = 0; i < 40 && subject !== 'server-b'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        subject = await presented(port, second.caFile).catch(() => '');
      }
      expect(subject).toBe('server-b');
    } finally {
      stop();
      server.close();
    }
  }, 30_000);
});
