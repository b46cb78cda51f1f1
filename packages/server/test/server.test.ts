import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createHttpServer, requestLogger } from '../src/index.ts';

describe('createHttpServer', () => {
  it('serves an Express app with its request and response helpers intact', async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.get('/echo/:name', (req, res) => {
      res.cookie('seen', '1', { httpOnly: true });
      res.status(201).json({
        name: req.params.name,
        query: req.query,
        header: req.get('x-test'),
        ip: req.ip,
        protocol: req.protocol,
        isExpressRequest: Object.getPrototypeOf(req) === app.request,
      });
    });
    // A second server for the same app (as tests build them) serves it the same way.
    createHttpServer(app);
    const res = await request(createHttpServer(app))
      .get('/echo/ada?tag=one')
      .set('x-test', 'yes')
      .set('x-forwarded-proto', 'https');
    expect(res.status).toBe(201);
    expect(res.headers['set-cookie']).toEqual(['seen=1; Path=/; HttpOnly']);
    expect(res.body).toEqual({
      name: 'ada',
      query: { tag: 'one' },
      header: 'yes',
      ip: '127.0.0.1',
      protocol: 'https',
      isExpressRequest: true,
    });
  });

  // What the helper is for: Express's per-request prototype swap gave every request its own
  // hidden class once a middleware added a property (the BFF served half the requests it does now).
  it('gives concurrent requests and responses one shared hidden class after middleware', async () => {
    const fixture = resolve(import.meta.dirname, 'fixtures/request-shapes.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', fixture],
      { timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ request: true, response: true });
  });
});

describe('requestLogger', () => {
  it('gives a request a logger bound to its id when it logs, and a line when it completes', async () => {
    let out = '';
    const logger = pino({ level: 'info' }, { write: (line: string) => void (out += line) });
    const app = express();
    app.use(requestLogger(logger, { quiet: ['/healthz'] }));
    app.get('/x', (req, res) => {
      req.log.warn('something to say');
      res.json({ ok: true });
    });
    app.get('/healthz', (_req, res) => void res.end());
    const answer = await request(createHttpServer(app)).get('/x?q=1').expect(200);
    await request(createHttpServer(app)).get('/healthz').expect(200);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; req: { id: string; url: string } });
    const id = answer.headers['x-request-id'];
    expect(lines.map((l) => [l.msg, l.req.id, l.req.url])).toEqual([
      ['something to say', id, '/x?q=1'],
      ['request completed', id, '/x?q=1'],
    ]);
  });
});
