import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Express } from 'express';
import { HttpError } from '@keyhaven/server';

/** Serves the built console: hashed assets cached for good, every other path the SPA's index. */
export function serveConsole(app: Express, webDist: string): void {
  const dist = resolve(webDist);
  const index = join(dist, 'index.html');
  app.use(
    express.static(dist, {
      index: false,
      maxAge: '1h',
      setHeaders: (res, path) => {
        if (path.includes('/assets/'))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.get('/{*splat}', (_req, res) => {
    if (!existsSync(index))
      throw new HttpError(
        503,
        'CONSOLE_NOT_BUILT',
        'The console is not built: run npm start or npm run build.',
      );
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
}
