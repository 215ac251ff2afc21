import { describe, expect, it } from '@jest/globals';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { VerifiedConnectionState } from './verified-connection-state.js';

const NOW = 1_800_000_000_000;
const payload = { sub: 7, sid: 'session-1', token_type: 'access', iat: NOW / 1000 - 60, exp: NOW / 1000 + 60 } as unknown as AccessTokenPayload;

describe('a connection\'s verified token (what the guard trusts on messages of an authenticated socket)', () => {
  it('answers the payload for the very token the authenticator verified, while it is unexpired', () => {
    const state = new VerifiedConnectionState('Bearer token-a', payload);
    expect(state.headers.authorization).toBe('Bearer token-a');
    expect(state.user).toBe(payload);
    expect(state.verifiedPayloadFor('token-a', NOW)).toEqual(payload);
  });

  it('answers each message its own copy, nested claims included, so a handler changing it cannot reach the next message', () => {
    const withRoles = { ...payload, roles: ['reader'] } as unknown as AccessTokenPayload & { roles: string[] };
    const state = new VerifiedConnectionState('Bearer token-a', withRoles);
    const first = state.verifiedPayloadFor('token-a', NOW) as typeof withRoles;
    first.roles.push('admin');
    (first as { sub: unknown }).sub = 'someone-else';
    expect(state.verifiedPayloadFor('token-a', NOW)).toEqual({ ...payload, roles: ['reader'] });
    expect(withRoles.roles).toEqual(['reader']);
  });

  it('keeps the payload as verified when a handler without the guard edits the user @CurrentUser() gave it', () => {
    const withRoles = { ...payload, roles: ['reader'] } as unknown as AccessTokenPayload & { roles: string[] };
    const state = new VerifiedConnectionState('Bearer token-a', withRoles);
    (state.user as typeof withRoles).roles.push('admin');
    (state.user as { sub: unknown }).sub = 'someone-else';
    expect(state.verifiedPayloadFor('token-a', NOW)).toEqual({ ...payload, roles: ['reader'] });
  });

  it('answers nothing for another token, so the guard verifies that one in full', () => {
    const state = new VerifiedConnectionState('Bearer token-a', payload);
    state.headers.authorization = 'Bearer token-b';
    expect(state.verifiedPayloadFor('token-b', NOW)).toBeUndefined();
  });

  it('answers nothing once the token has expired, even before the connection is closed', () => {
    const state = new VerifiedConnectionState('Bearer token-a', payload);
    expect(state.verifiedPayloadFor('token-a', payload.exp * 1000 - 1)).toEqual(payload);
    expect(state.verifiedPayloadFor('token-a', payload.exp * 1000)).toBeUndefined();
  });
});
