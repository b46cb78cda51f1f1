import { setupServer } from 'msw/node';

/** msw for component tests only; handlers come per test, typed from the contract. */
export const server = setupServer();
