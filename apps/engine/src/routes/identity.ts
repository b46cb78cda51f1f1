import { type TokenRequest, engineApi as api } from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
import { clientAddress } from '@keyhaven/server';
import type { LoginDeps, RouteDeps } from './route.ts';

/** Whom a token request tries to log in as: the username, or the API key's id. */
const subjectOf = (request: TokenRequest) =>
  request.grant_type === 'password'
    ? request.username
    : `apikey:${/^khk_([a-f0-9-]{36})_/.exec(request.apikey)?.[1] ?? 'malformed'}`;

/** IAM: tokens for API keys and passwords, who the caller is, and the caller's API keys. */
export function identityRoutes({ route, engine }: RouteDeps, login: LoginDeps) {
  route(api.createToken, async ({ req, body }) => {
    const verdict = login.guard.attempt(subjectOf(body), clientAddress(req, login.proxyKey));
    if (!verdict.allowed)
      throw new EngineError(
        429,
        'TOO_MANY_ATTEMPTS',
        verdict.message,
        undefined,
        verdict.retryAfterSeconds,
      );
    try {
      const token = await engine.iam.token(body);
      verdict.done('success');
      return token;
    } catch (err) {
      verdict.done(err instanceof EngineError && err.status === 401 ? 'failure' : 'void');
      throw err;
    }
  });
  route(api.revokeToken, async ({ req }) => {
    await engine.iam.revoke(req.headers.authorization);
  });
  route(api.getMe, async ({ principal }) => engine.iam.me(principal));
  route(api.listApiKeys, ({ principal }) => engine.iam.listApiKeys(principal));
  route(api.createApiKey, ({ principal, body }) => engine.iam.createApiKey(principal, body.name));
  route(api.deleteApiKey, async ({ principal, params }) => {
    await engine.iam.revokeApiKey(principal, params.id);
  });
}
