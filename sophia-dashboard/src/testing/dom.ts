// Shared setup for the dashboard's component tests (jsdom). Vitest runs without globals here, so
// Testing Library cannot register its own cleanup: do it, and tell React it runs inside act().
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined;
}

export function setUpDomTests(): void {
  globalThis.IS_REACT_ACT_ENVIRONMENT = true;
  afterEach(cleanup);
}
