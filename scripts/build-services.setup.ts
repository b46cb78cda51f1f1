import { buildServices } from './build.mjs';

/** Vitest global setup of the integration tests: the services they start, bundled from source. */
export default async function setup(): Promise<void> {
  await buildServices();
}
