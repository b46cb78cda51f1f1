// The baseline for the BFF benchmark: a bare Express 5 route in its own process, answering a
// small JSON document like the overview's, with nothing in front of it, served the way the BFF
// serves its app (createHttpServer), or with BARE_APP_LISTEN=1 the way Express serves it alone.
import express from 'express';
import { createHttpServer } from '@keyhaven/server';

const app = express();
const body = { cluster: { id: 'c-prod-us-south', name: 'prod-us-south' }, kms: null };
app.get('/bare', (_req, res) => {
  res.json(body);
});
const server = (process.env.BARE_APP_LISTEN ? app : createHttpServer(app)).listen(
  Number(process.env.PORT ?? 0),
  '127.0.0.1',
  () => {
    process.stdout.write(`listening\n`);
  },
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
