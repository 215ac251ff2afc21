import { describe, expect, it } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { AuthValidationPipe } from './auth-validation.pipe.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RefreshTokenBodyPipe } from './refresh-token-body.pipe.js';

const BODY: ArgumentMetadata = { type: 'body', metatype: RefreshTokenDto, data: undefined };

/** What a pipe answers: the value it resolves to, or the 400's messages. */
async function answer(pipe: AuthValidationPipe, body: unknown): Promise<unknown> {
  try {
    return { value: await pipe.transform(body, BODY) };
  } catch (error) {
    return { rejected: (error as { getResponse(): unknown }).getResponse() };
  }
}

describe('RefreshTokenBodyPipe', () => {
  const shortcut = new RefreshTokenBodyPipe();
  const full = new AuthValidationPipe();

  it.each([
    ['the usual body', { refresh_token: 'a.b.c' }],
    ['an empty body (cookie transport)', {}],
    ['no body', undefined],
    ['an empty token', { refresh_token: '' }],
    ['a token that is not a string', { refresh_token: 42 }],
    ['a null token', { refresh_token: null }],
    ['an unknown property beside the token', { refresh_token: 'a.b.c', extra: 'x' }],
    ['an unknown property alone', { extra: 'x' }],
    ['a token in an array', { refresh_token: ['a.b.c'] }],
    ['an array body', [{ refresh_token: 'a.b.c' }]],
    ['a string body', 'a.b.c'],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { refresh_token: 'a.b.c' })],
  ])('answers %s exactly as the full validation does', async (_name, body) => {
    expect(await answer(shortcut, body)).toEqual(await answer(full, body));
  });

  it('answers the usual body with a plain copy holding only the token', async () => {
    const body = { refresh_token: 'a.b.c' };
    const value = await shortcut.transform(body, BODY);
    expect(value).toEqual({ refresh_token: 'a.b.c' });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});
