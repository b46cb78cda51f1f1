import type { OpenApiOptions } from '@keyhaven/contracts';

/** How the engine's OpenAPI document describes the service around its operations. */
export const engineOpenApi: OpenApiOptions = {
  title: 'Keyhaven engine',
  description:
    "The shared encryption engine: IAM tokens, Key Protect's KMS instances and root keys, and the Kubernetes Service cluster API with KMS enablement and secrets.",
  servers: [{ url: 'http://127.0.0.1:8081', description: 'The engine of `npm start`' }],
  securitySchemes: {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'A token from POST /identity/token (API key or password grant).',
    },
  },
  securityOf: () => [{ bearer: [] }],
  commonErrors: [503],
  tags: {
    IAM: 'Tokens, the caller, and API keys',
    'Key Protect': 'KMS instances and their root keys (Key Protect v2)',
    'Kubernetes Service': 'Clusters, master status and KMS enablement',
    Secrets: "A cluster's secrets as its API server stores them",
  },
};
