import type { OpenApiOptions } from '@keyhaven/contracts';
import { SESSION_COOKIE } from './session.ts';

/** How the console API's OpenAPI document describes the service around its operations. */
export const bffOpenApi: OpenApiOptions = {
  title: 'Keyhaven console API',
  description:
    "The console's backend-for-frontend: sessions, clusters with live master status, KMS enablement, root keys and secrets, shaped for the console's screens.",
  servers: [{ url: 'http://127.0.0.1:8080', description: 'The console of `npm start`' }],
  securitySchemes: {
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: 'The encrypted session cookie that POST /api/session sets.',
    },
    csrf: {
      type: 'apiKey',
      in: 'header',
      name: 'x-csrf-token',
      description: "The session's CSRF token (from the login answer), on every state change.",
    },
  },
  securityOf: (op): Record<string, string[]>[] =>
    op.method === 'get' ? [{ session: [] }] : [{ session: [], csrf: [] }],
  commonErrors: [502, 503, 504],
  tags: {
    Session: 'Logging in and out',
    Clusters: 'Clusters, their Overview, KMS enablement and live master status',
    'Key management': 'KMS instances and their root keys',
    Secrets: "A cluster's secrets and activity",
    Authorizations: 'Service-to-service authorizations from Kubernetes Service to KMS instances',
    Audit: "The account's audit log: every change by every user and service",
  },
};
