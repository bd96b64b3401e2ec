import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecisionSigner, type DecisionClaims } from '../../src/assignment/decision-token.js';

const SECRET = 'test-secret-0123456789abcdef';
const claims: Omit<DecisionClaims, 'k'> = { e: 'exp.checkout:v2', a: 'arm_7-large', p: 'h', t: 1_795_000_123, q: 0.123456789012345 };

describe('DecisionSigner', () => {
  const signer = new DecisionSigner(SECRET);

  it('round-trips every claim exactly, propensity bits included', () => {
    for (const p of ['b', 'h', 'x'] as const) {
      for (const q of [1, 0.1 + 0.2, 1e-300, 0]) {
        const got = signer.verify(signer.sign({ ...claims, p, q }));
        expect(got).toMatchObject({ ...claims, p, q });
        expect(got!.k).toMatch(/^[A-Za-z0-9_-]{16}$/);
      }
    }
  });

  it('gives every decision its own nonce, across pool refills', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => signer.verify(signer.sign(claims))!.k));
    expect(keys.size).toBe(2000);
  });

  it('is base64url(body ‖ HMAC-SHA256(secret, body)[0..16]) with the documented layout', () => {
    const bytes = Buffer.from(signer.sign(claims), 'base64url');
    const body = bytes.subarray(0, bytes.length - 16);
    expect(bytes.subarray(body.length)).toEqual(createHmac('sha256', SECRET).update(body).digest().subarray(0, 16));
    expect([body[0], body[1], body.readUInt32BE(2), body.readDoubleBE(6)]).toEqual([2, 1, claims.t, claims.q]);
    expect(body.toString('utf8', 27, 27 + body[26])).toBe(claims.e);
  });

  it('refuses every altered byte, a shortened or lengthened token, another secret and junk', () => {
    const token = signer.sign(claims);
    const bytes = Buffer.from(token, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] ^= 0x40;
      expect(signer.verify(altered.toString('base64url')), `byte ${i}`).toBeNull();
    }
    const junk = ['', 'x', 'a.b', `${token}A`, `${token}AA`, token.slice(0, -2), `${token.slice(0, 10)}.${token.slice(10)}`, `${token} `, 'A'.repeat(3000)];
    for (const t of junk) expect(signer.verify(t), t.slice(0, 40)).toBeNull();
    expect(new DecisionSigner('another-secret-0123456789').verify(token)).toBeNull();
    expect(signer.verify(token)).not.toBeNull();
  });

  it('accepts only the canonical spelling: other spellings of the same bytes are refused', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Arm ids of 1 to 3 characters give bodies of every length mod 3 (so every kind of last character).
    for (const a of ['x', 'xy', 'xyz']) {
      const token = signer.sign({ ...claims, a });
      expect(signer.verify(token), a).not.toBeNull();
      const variants = [...alphabet].filter((ch) => ch !== token.at(-1)).map((ch) => token.slice(0, -1) + ch);
      for (const v of [...variants, `${token}A`, `${token}=`, ` ${token}`, `${token.slice(0, 5)}*${token.slice(5)}`]) {
        expect(signer.verify(v), `${a}: ${v.slice(-6)}`).toBeNull();
      }
    }
  });

  it('carries the user key when given, and none without', () => {
    const u = 'AbC-_9xyz012';
    expect(signer.verify(signer.sign({ ...claims, u }))).toMatchObject({ ...claims, u });
    expect(signer.verify(signer.sign(claims))).not.toHaveProperty('u');
    expect(() => signer.sign({ ...claims, u: 'short' })).toThrow(/12 base64url/);
  });

  it('still verifies a version-1 token (issued before the user key existed)', () => {
    const ids = Buffer.concat([Buffer.from([claims.e.length]), Buffer.from(claims.e), Buffer.from([claims.a.length]), Buffer.from(claims.a)]);
    const head = Buffer.alloc(26);
    head[0] = 1; head[1] = 1; head.writeUInt32BE(claims.t, 2); head.writeDoubleBE(claims.q, 6);
    const body = Buffer.concat([head, ids]);
    const token = Buffer.concat([body, createHmac('sha256', SECRET).update(body).digest().subarray(0, 16)]).toString('base64url');
    const got = signer.verify(token);
    expect(got).toMatchObject(claims);
    expect(got).not.toHaveProperty('u');
  });

  it('accepts ids issued before node:crypto signed them (the hand-written SHA-256), and signs the same bytes', () => {
    // Minted at 67a1cca by the hand-written HMAC (src/assignment/hmac-sha256.ts, since removed) with this secret.
    const old = new DecisionSigner('fixed-secret-for-the-known-token-test');
    const issued: [string, DecisionClaims][] = [
      ['AgBpM8NAP9AAAAAAAAAAAQIDBAUGBwgJCgsJZXhwLWtub3duBWFybS0yCWm3HXn4IYo5JZJfqBPPUjQMaL-32YtEu6E',
        { e: 'exp-known', a: 'arm-2', p: 'b', t: 1_765_000_000, q: 0.25, k: 'AAECAwQFBgcICQoL', u: 'abcdefghijkl' }],
      ['AgFpM8NBP_AAAAAAAAAMDQ4PEBESExQVFhcJZXhwLWtub3duB2NvbnRyb2wA-2jYdOPYXi42o14JFqvRaA',
        { e: 'exp-known', a: 'control', p: 'h', t: 1_765_000_001, q: 1, k: 'DA0ODxAREhMUFRYX' }],
    ];
    for (const [id, c] of issued) {
      expect(old.verify(id)).toEqual(c);
      expect(old.signWith(c)).toBe(id);
      expect(new DecisionSigner('another-secret').verify(id)).toBeNull();
    }
  });

  it('carries a linear policy\'s features as version 3 (issue 23), exactly; without them the bytes stay version 2\'s', () => {
    const x = [1, 0, 1, 0.1 + 0.2, -2.5e-7, 1e6 / 3];
    for (const u of [undefined, 'AbC-_9xyz012']) {
      const token = signer.sign({ ...claims, ...(u && { u }), x });
      expect(Buffer.from(token, 'base64url')[0]).toBe(3);
      expect(signer.verify(token)).toMatchObject({ ...claims, ...(u && { u }), x });
    }
    expect(Buffer.from(signer.sign(claims), 'base64url')[0]).toBe(2);
    expect(signer.verify(signer.sign({ ...claims, x: [] }))).toMatchObject({ ...claims, x: [] });
    expect(() => signer.sign({ ...claims, x: new Array(64).fill(0) })).toThrow(/at most 63/);
  });

  it('accepts version-3 ids issued before node:crypto signed them (the contextual branch at f82b2cf), and signs the same bytes', () => {
    // Minted at f82b2cf by the hand-written HMAC with this secret: a linear policy's decisions with their features.
    const old = new DecisionSigner('fixed-secret-for-the-known-token-test');
    const issued: [string, DecisionClaims][] = [
      ['AwBpM8NCP8AAAAAAAAAAAQIDBAUGBwgJCgsJZXhwLWtub3duBWFybS0yCWm3HXn4IYo5JQU_8AAAAAAAAAAAAAAAAAAAP_AAAAAAAAA_uZmZmZmZmr6Qxvegte2N6QqKtnycy-M7EljdLBbPuQ',
        { e: 'exp-known', a: 'arm-2', p: 'b', t: 1_765_000_002, q: 0.125, k: 'AAECAwQFBgcICQoL', u: 'abcdefghijkl', x: [1, 0, 1, 0.1, -2.5e-7] }],
      ['AwBpM8NDP-AAAAAAAAAMDQ4PEBESExQVFhcJZXhwLWtub3duB2NvbnRyb2wAAj_wAAAAAAAAQRRYVVVVVVWimr02tZlslk-u3QNes3OP',
        { e: 'exp-known', a: 'control', p: 'b', t: 1_765_000_003, q: 0.5, k: 'DA0ODxAREhMUFRYX', x: [1, 1e6 / 3] }],
    ];
    for (const [id, c] of issued) {
      expect(old.verify(id)).toEqual(c);
      expect(old.signWith(c)).toBe(id);
      expect(new DecisionSigner('another-secret').verify(id)).toBeNull();
    }
  });

  it('refuses an id longer than a length byte can hold', () => {
    expect(() => signer.sign({ ...claims, e: 'e'.repeat(256) })).toThrow(/too long/);
  });
});
