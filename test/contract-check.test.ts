/** The document is a valid OpenAPI 3.0 document, and the response check that every API suite runs under does catch drift. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { checkResponse } from './helpers/contract-check.js';

describe('openapi/openapi.json and the response check', () => {
  it('is a valid OpenAPI 3.0 document (the same check as openapi-spec-validator)', async () => {
    const v = new Validator();
    const res = await v.validate(new URL('../openapi/openapi.json', import.meta.url).pathname);
    expect(res.errors).toBeUndefined();
    expect(res.valid).toBe(true);
  });

  it('flags an undeclared status, a body outside the schema, a missing x-request-id; passes a good answer', () => {
    const ok = JSON.stringify({ status: 'ok' });
    expect(checkResponse('GET', '/health', 200, 'application/json; charset=utf-8', ok, 'req-1')).toBeNull();
    expect(checkResponse('GET', '/health', 418, 'application/json', ok, 'req-1')).toMatch(/not declared/);
    expect(checkResponse('GET', '/health', 200, 'application/json', JSON.stringify({ status: 'ok', extra: 1 }), 'req-1')).toMatch(/does not match/);
    expect(checkResponse('GET', '/health', 200, 'application/json', JSON.stringify({ status: 'fine' }), 'req-1')).toMatch(/does not match/);
    expect(checkResponse('GET', '/health', 200, 'application/json', ok, undefined)).toMatch(/x-request-id/);
    expect(checkResponse('POST', '/select', 401, 'application/json', JSON.stringify({ error: 'unauthorized' }), 'r')).toMatch(/does not match/);
    expect(checkResponse('POST', '/select', 401, 'application/json', JSON.stringify({ error: 'unauthorized', message: 'no key' }), 'r')).toBeNull();
  });
});
