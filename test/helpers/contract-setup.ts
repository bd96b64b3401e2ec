/** vitest setup file: a test whose app answered outside openapi/openapi.json fails (see contract-check.ts). */
import { afterEach } from 'vitest';
import { drainViolations } from './contract-check.js';

afterEach(() => {
  const found = drainViolations();
  if (found.length > 0) {
    const unique = [...new Set(found)];
    throw new Error(`${found.length} response(s) outside openapi/openapi.json:\n  ${unique.slice(0, 10).join('\n  ')}`);
  }
});
