/** A decision id names the life of its experiment (issue 19 item 4): the nonce's life tag, and issue time for tokens signed before tags. */
import { describe, expect, it } from 'vitest';
import { DecisionSigner, issuedInLife, lifeTag, newNonce, stampLife } from '../../src/assignment/decision-token.js';
import { lifeOf } from '../../src/contract/experiment-config.js';

const signer = new DecisionSigner('decision-life-secret-0123456789');
const createdAt = '2026-06-01T00:00:00.400Z';
const second = Math.floor(Date.parse(createdAt) / 1000);
const first = lifeOf({ createdAt, life: 'aaaaaaaa' });
const again = lifeOf({ createdAt, life: 'bbbbbbbb' }); // created again in the same millisecond

describe('issuedInLife', () => {
  it('tells two lives created in the same millisecond apart by the tag', () => {
    const k = stampLife(newNonce(), lifeTag('e', first));
    const claims = signer.verify(signer.signWith({ e: 'e', a: 'a', p: 'b', t: second, q: 0.5, k }))!;
    expect(issuedInLife(claims, lifeTag('e', first), createdAt)).toBe(true);
    expect(issuedInLife(claims, lifeTag('e', again), createdAt)).toBe(false);
    expect(claims.k).toHaveLength(16); // the nonce keeps its size: the token format is unchanged
  });

  it('accepts an untagged token (signed before tags) only when issued in a later second than the life began', () => {
    const old = (t: number) => signer.verify(signer.sign({ e: 'e', a: 'a', p: 'b', t, q: 0.5 }))!;
    expect(issuedInLife(old(second + 1), lifeTag('e', first), createdAt)).toBe(true);
    expect(issuedInLife(old(second), lifeTag('e', first), createdAt)).toBe(false);
    expect(issuedInLife(old(second - 5), lifeTag('e', first), createdAt)).toBe(false);
  });
});
