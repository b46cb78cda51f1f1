import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { server } from './server.ts';

// jsdom lacks ResizeObserver, which Carbon's Modal and ComboBox use.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
// jsdom does no layout: ComboBox scrolls the highlighted option into view as you type.
Element.prototype.scrollIntoView ??= function scrollIntoView() {};

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
let consoleError: { mock: { calls: unknown[][] }; mockRestore(): void };
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});
afterEach(() => {
  cleanup();
  server.resetHandlers();
  // A test fails on any console.error (React warnings included).
  const calls = consoleError.mock.calls;
  consoleError.mockRestore();
  if (calls.length > 0)
    throw new Error(
      `console.error was called: ${calls.map((c: unknown[]) => String(c[0])).join(' | ')}`,
    );
});
afterAll(() => server.close());
