// The anchor of the guard targets (issue 16): the guard a performance-minded engineer writes by hand, with no library
// around fast-jwt — a verifier built once with the key prepared and the algorithm pinned, the bearer token sliced off
// the header, the payload put on the request. Nothing the library adds (token typing, required claims, the session
// check, error bodies) is here, so "ours ≥ 0.97× of it" measures what those cost.
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createVerifier } from 'fast-jwt';
import { ACCESS_SECRET } from './shared.js';

type Verify = (token: string) => Record<string, unknown>;

function verifyBearer(verify: Verify, context: ExecutionContext): boolean {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer ')) throw new UnauthorizedException();
  try {
    request.user = verify(header.slice(7));
  } catch {
    throw new UnauthorizedException();
  }
  return true;
}

/** With fast-jwt's own verification cache (its default size, 1,000 tokens): the best choice when tokens repeat. */
@Injectable()
export class HandwrittenCachedGuard implements CanActivate {
  private readonly verify = createVerifier({ key: ACCESS_SECRET, algorithms: ['HS256'], cache: true }) as unknown as Verify;

  canActivate(context: ExecutionContext): boolean {
    return verifyBearer(this.verify, context);
  }
}

/** Without a cache: the best choice when almost every token is new (the cache would only add its key hashing). */
@Injectable()
export class HandwrittenUncachedGuard implements CanActivate {
  private readonly verify = createVerifier({ key: ACCESS_SECRET, algorithms: ['HS256'], cache: false }) as unknown as Verify;

  canActivate(context: ExecutionContext): boolean {
    return verifyBearer(this.verify, context);
  }
}
