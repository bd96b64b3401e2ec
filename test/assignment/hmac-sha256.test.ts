import { createHash, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256, sha256Into } from '../../src/assignment/hmac-sha256.js';
import { stickyField } from '../../src/store/redis-keys.js';

const mac = (key: Uint8Array, message: Uint8Array, bytes = 32): Buffer => {
  const out = Buffer.alloc(bytes);
  new HmacSha256(key).macInto(message, out, 0, bytes);
  return out;
};

describe('HmacSha256', () => {
  it('gives RFC 4231 test cases 1, 2 and 6 (a key longer than a block)', () => {
    expect(mac(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex'))
      .toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(mac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex'))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(mac(Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex'))
      .toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('equals node:crypto for every message length from 0 to 300 bytes (every padding case)', () => {
    const key = randomBytes(32);
    const h = new HmacSha256(key);
    const out = Buffer.alloc(32);
    for (let n = 0; n <= 300; n++) {
      const m = randomBytes(n);
      h.macInto(m, out, 0, 32);
      expect(out.toString('hex'), `length ${n}`).toBe(createHmac('sha256', key).update(m).digest('hex'));
    }
  });

  it('equals node:crypto for random keys (0-200 bytes) and messages, one instance reused', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 5 }), (key, messages) => {
      const h = new HmacSha256(key);
      for (const m of messages) {
        const out = Buffer.alloc(40, 0xee);
        h.macInto(m, out, 5, 16);
        const want = createHmac('sha256', Buffer.from(key)).update(m).digest().subarray(0, 16);
        expect(out.subarray(5, 21)).toEqual(want);
        // Nothing outside the 16 bytes asked for is written.
        expect([...out.subarray(0, 5), ...out.subarray(21)].every((b) => b === 0xee)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});

describe('sha256Into and the sticky field', () => {
  it('equals node:crypto createHash for every length from 0 to 300 bytes', () => {
    const out = Buffer.alloc(32);
    for (let n = 0; n <= 300; n++) {
      const m = randomBytes(n);
      sha256Into(m, out, 0, 32);
      expect(out.toString('hex'), `length ${n}`).toBe(createHash('sha256').update(m).digest('hex'));
    }
  });

  it('gives the sticky field node:crypto gave (stored Redis fields and user keys keep their values)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (userId) => {
      expect(stickyField(userId)).toBe(createHash('sha256').update(userId).digest('base64url').slice(0, 12));
    }), { numRuns: 500 });
  });
});
