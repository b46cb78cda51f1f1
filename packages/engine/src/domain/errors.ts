/** A refusal or failure the engine reports to its caller: an HTTP status and a stable code. */
export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds after which a retry may succeed (for 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const notFound = (what: string, id: string) =>
  new EngineError(404, 'NOT_FOUND', `${what} ${id} was not found`);
export const conflict = (code: string, message: string, details?: unknown) =>
  new EngineError(409, code, message, details);
export const badRequest = (code: string, message: string, details?: unknown) =>
  new EngineError(400, code, message, details);
export const unavailable = (code: string, message: string, retryAfter = 5) =>
  new EngineError(503, code, message, undefined, retryAfter);
