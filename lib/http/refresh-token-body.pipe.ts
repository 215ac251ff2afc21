import type { ArgumentMetadata } from '@nestjs/common';
import { AuthValidationPipe } from './auth-validation.pipe.js';

/**
 * The refresh route's body pipe: {@link AuthValidationPipe}, except that the body almost every refresh sends,
 * `{ "refresh_token": "<non-empty string>" }`, is answered without class-transformer and class-validator. That body
 * passes their rules unchanged (nothing to strip, nothing to convert), so the answer is the same; running them cost
 * about 5% of a refresh's CPU. Any other body (cookie transport's empty one, a wrong type, extra properties) takes the
 * full path, with its error messages.
 */
export class RefreshTokenBodyPipe extends AuthValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && isPlainRefreshBody(value)) return Promise.resolve({ refresh_token: value.refresh_token });
    return super.transform(value, metadata);
  }
}

/** `{ refresh_token: string }` as a JSON parser makes it: a plain object, that one property, a non-empty string. */
function isPlainRefreshBody(value: unknown): value is { refresh_token: string } {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'refresh_token') return false;
  const token = (value as { refresh_token: unknown }).refresh_token;
  return typeof token === 'string' && token !== '';
}
