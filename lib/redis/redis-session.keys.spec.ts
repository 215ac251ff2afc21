import { describe, expect, it } from '@jest/globals';
import { RedisSessionKeys } from './redis-session.keys.js';

/** The hash tag Redis Cluster hashes: the text between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return key.slice(open + 1, close);
}

describe('RedisSessionKeys', () => {
  const keys = new RedisSessionKeys('app');

  it("puts a user's session hashes and index in one slot, and different users in different tags", () => {
    const userKeys = [keys.session('42', 'a'), keys.session('42', 'b'), keys.userSessions('42'), `${keys.sessionPrefix('42')}c`];
    const tags = new Set(userKeys.map(hashTag));
    expect([...tags]).toEqual(['app:u:42']);
    expect(hashTag(keys.userSessions('43'))).not.toBe(hashTag(keys.userSessions('42')));
  });

  it('keys the owner pointer by the session id alone, and keeps every key under the prefix', () => {
    expect(hashTag(keys.owner('a'))).toBe('app:sid:a');
    for (const key of [keys.session('42', 'a'), keys.userSessions('42'), keys.owner('a'), keys.expiring()]) {
      expect(key.startsWith('{app')).toBe(true);
    }
  });

  it('refuses a prefix with braces, which would break the hash tags', () => {
    expect(() => new RedisSessionKeys('a{b}')).toThrow(/must not contain/);
  });
});
