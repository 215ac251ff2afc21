import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { tokenFingerprint } from './token-fingerprint.js';
import { TokenFrequencySketch } from './token-frequency-sketch.js';

const token = () => `header.payload.${randomBytes(32).toString('base64url')}`;

describe('TokenFrequencySketch', () => {
  it('counts the verifications of a token (its second one is count 2, as cache admission asks)', () => {
    const sketch = new TokenFrequencySketch(1024);
    const repeated = token();
    const fingerprint = tokenFingerprint(repeated);
    expect(sketch.estimate(fingerprint)).toBe(0);
    expect([sketch.record(fingerprint), sketch.record(fingerprint), sketch.record(fingerprint)]).toEqual([1, 2, 3]);
    expect(sketch.estimate(fingerprint)).toBe(3);
  });

  it('tells a busy token from the one-off ones around it', () => {
    const sketch = new TokenFrequencySketch(16_384);
    const busy = token();
    const oneOff: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      sketch.record(tokenFingerprint(busy));
      for (let j = 0; j < 20; j += 1) sketch.record(tokenFingerprint((oneOff[oneOff.length] = token())));
    }
    const busyCount = sketch.estimate(tokenFingerprint(busy));
    const above = oneOff.filter((t) => sketch.estimate(tokenFingerprint(t)) >= busyCount).length;
    expect(busyCount).toBe(15); // saturated: 4 bits' worth
    expect(above).toBe(0);
  });

  it('halves every count after ten sightings per counter, so yesterday\'s busy token does not keep its place', () => {
    const sketch = new TokenFrequencySketch(16);
    const formerlyBusy = token();
    for (let i = 0; i < 12; i += 1) sketch.record(tokenFingerprint(formerlyBusy));
    expect(sketch.estimate(tokenFingerprint(formerlyBusy))).toBe(12);
    // 160 sightings (10 per counter) in all start the halving; the 148 of other tokens push the total there.
    for (let i = 0; i < 148; i += 1) sketch.record(tokenFingerprint(`other-${i}`));
    expect(sketch.estimate(tokenFingerprint(formerlyBusy))).toBeLessThanOrEqual(7);
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new TokenFrequencySketch(1000)).toThrow(/power of two/);
  });
});
