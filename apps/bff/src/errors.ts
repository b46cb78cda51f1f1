import { HttpError } from '@keyhaven/server';

/** The engine answered, but not in the shape its contract promises. */
export const badEngineResponse = () =>
  new HttpError(502, 'BAD_ENGINE_RESPONSE', 'The Keyhaven engine sent an unexpected answer.');
