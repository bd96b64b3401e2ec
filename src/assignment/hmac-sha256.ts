/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) for one fixed key, in plain JavaScript, for the decision ids:
 * the same bytes as `createHmac('sha256', key)`, at about a third of its cost for a short message;
 * and SHA-256 itself (`sha256Into`: the same bytes as `createHash`; the store's sticky field calls node:crypto).
 *
 * Why not node:crypto: every `createHmac` builds an OpenSSL context, hashes the two key pads again
 * and allocates the Hmac object and the digest; for a 40-100 byte body that overhead is most of the
 * 1.5 µs a call costs, on every /select (sign) and every /reward (verify). Here the key pads are
 * hashed once (the states after the 64-byte `key ^ ipad` and `key ^ opad` blocks are kept), so a
 * MAC of a body under 56 bytes is two compressions (inner, outer) and allocates nothing
 * (bench/RESULTS.md, "Serving cost"). The code has no branch or index that depends on the key or
 * the message, only on its length. test/assignment/hmac-sha256.test.ts checks it against
 * node:crypto (random keys and messages of every length to 300 bytes) and RFC 4231's vectors.
 */
import { createHash } from 'node:crypto';

/** SHA-256 round constants (FIPS 180-4, 4.2.2). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** The initial hash value (FIPS 180-4, 5.3.3). */
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
const w = new Int32Array(64);

/** One SHA-256 compression of the 64-byte block at `b[at]` into the state `h`. */
function compress(h: Int32Array, b: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    w[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = h[0], b1 = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b1; b1 = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b1) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
}

function writeState(h: Int32Array, out: Uint8Array, at: number, words: number): void {
  for (let i = 0; i < words; i++) {
    out[at + 4 * i] = h[i] >>> 24;
    out[at + 4 * i + 1] = h[i] >>> 16;
    out[at + 4 * i + 2] = h[i] >>> 8;
    out[at + 4 * i + 3] = h[i];
  }
}

/** The message's last blocks with their padding (synchronous use only); grown for longer messages. */
let tail = new Uint8Array(4 * BLOCK);

/** Compresses `m[0, n)` after `before` bytes already hashed into `h`, with the final padding. */
function hashRest(h: Int32Array, m: Uint8Array, n: number, before: number): void {
  const whole = n - (n % BLOCK);
  for (let at = 0; at < whole; at += BLOCK) compress(h, m, at);
  const rest = n - whole;
  const padded = rest + 9 <= BLOCK ? BLOCK : 2 * BLOCK;
  if (tail.length < padded) tail = new Uint8Array(padded);
  const t = tail;
  for (let i = 0; i < rest; i++) t[i] = m[whole + i];
  t[rest] = 0x80;
  t.fill(0, rest + 1, padded - 8);
  // The message length in bits, big-endian, in the last 8 bytes (2^53 bits is far beyond any id).
  const bits = (before + n) * 8;
  const high = Math.floor(bits / 2 ** 32);
  t[padded - 8] = high >>> 24; t[padded - 7] = high >>> 16; t[padded - 6] = high >>> 8; t[padded - 5] = high;
  t[padded - 4] = bits >>> 24; t[padded - 3] = bits >>> 16; t[padded - 2] = bits >>> 8; t[padded - 1] = bits;
  for (let at = 0; at < padded; at += BLOCK) compress(h, t, at);
}

const state = new Int32Array(8);
const digest32 = new Uint8Array(32);

/** The first `bytes` (at most 32) of SHA-256(message), written into `out` at `at`. */
export function sha256Into(message: Uint8Array, out: Uint8Array, at: number, bytes: number): void {
  state.set(IV);
  hashRest(state, message, message.length, 0);
  writeState(state, digest32, 0, 8);
  out.set(digest32.subarray(0, bytes), at);
}

export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly h = new Int32Array(8);
  private readonly digest = new Uint8Array(32);

  constructor(key: Uint8Array) {
    // A key longer than a block is replaced by its hash (RFC 2104, section 2).
    const k = key.length > BLOCK ? createHash('sha256').update(key).digest() : key;
    const pad = new Uint8Array(BLOCK);
    for (const [s, byte] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      for (let i = 0; i < BLOCK; i++) pad[i] = (k[i] ?? 0) ^ byte;
      s.set(IV);
      compress(s, pad, 0);
    }
  }

  /** Writes the first `bytes` (at most 32) of HMAC-SHA256(key, message) into `out` at `at`. */
  macInto(message: Uint8Array, out: Uint8Array, at: number, bytes: number): void {
    const h = this.h;
    h.set(this.inner);
    hashRest(h, message, message.length, BLOCK);
    writeState(h, this.digest, 0, 8);
    h.set(this.outer);
    hashRest(h, this.digest, 32, BLOCK);
    writeState(h, this.digest, 0, 8);
    out.set(this.digest.subarray(0, bytes), at);
  }
}
