import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, type REQUEST_USER_PROPERTY } from '../dual-token-auth.constants.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { type AuthRequest, requestOf } from '../platform/execution-context-request.js';
import { withGraphqlCode } from '../platform/graphql-error-code.js';
import { VerifiedConnectionState } from '../platform/verified-connection-state.js';
import { INVALID_TOKEN_CHALLENGE, MISSING_TOKEN_CHALLENGE, setResponseHeader } from '../platform/request-adapter.js';
import { SessionRevocationCheck } from '../sessions/session-revocation-check.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { DualTokenService } from '../tokens/dual-token.service.js';

export type { AuthRequest } from '../platform/execution-context-request.js';

/**
 * Lets a request through only with a valid access token in `Authorization: Bearer <token>`; puts its payload on
 * `request.user` for `@CurrentUser()`. Use it per route (`@UseGuards(AccessTokenGuard)`) or globally (registration
 * option `globalGuard`) with `@Public()` to opt out.
 *
 * Works on Express and Fastify alike (it only reads headers). Override the `protected` methods to change where the
 * token comes from or how failures are reported.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly publicHandlers = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    protected readonly tokens: DualTokenService,
    protected readonly reflector: Reflector,
    private readonly revocationCheck: SessionRevocationCheck,
    @Inject(AUTH_CONFIG) protected readonly config: ResolvedAuthConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = this.getRequest(context);
    const token = this.extractToken(request);
    if (token === undefined) {
      if (this.isOptional(context)) return true;
      throw this.reject(context, MISSING_TOKEN_CHALLENGE, this.config.messages.notLoggedIn);
    }

    let payload: AccessTokenPayload;
    // Messages on an authenticated connection carry the token its authenticator already verified; HTTP requests (also
    // GraphQL's) bring their own header every time.
    const verifiedByConnection = request instanceof VerifiedConnectionState ? request.verifiedPayloadFor(token, Date.now()) : undefined;
    if (verifiedByConnection) {
      // Already the caller's own copy, as verifyAccessToken returns.
      payload = verifiedByConnection;
    } else {
      try {
        payload = this.tokens.verifyAccessToken(token);
      } catch {
        throw this.reject(context, INVALID_TOKEN_CHALLENGE, this.config.messages.tokenInvalid);
      }
    }

    if (!this.config.rejectRevokedAccessTokens) return this.accept(request, payload);
    const active = this.revocationCheck.isSessionActive(payload.sid, payload.sub);
    if (typeof active === 'boolean') return this.acceptIfActive(active, context, request, payload);
    return active.then((isActive) => this.acceptIfActive(isActive, context, request, payload));
  }

  /** Reads the access token from the request; `undefined` when there is none. */
  protected extractToken(request: AuthRequest): string | undefined {
    return extractBearerToken(request.headers.authorization);
  }

  /**
   * The request of the context, by transport: the HTTP request, a GraphQL resolver's `context.req` (Apollo and
   * Mercurius), or a WebSocket client's authentication state. Override for other transports.
   */
  protected getRequest(context: ExecutionContext): AuthRequest {
    return requestOf(context);
  }

  /** Whether `@Public()` is on the handler or its class. Decorators are fixed at startup, so the answer is cached per handler. */
  protected isPublic(context: ExecutionContext): boolean {
    // Keyed by class, then handler: an inherited handler may sit in a public and in a protected controller.
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.publicHandlers.get(controller);
    if (!byHandler) this.publicHandlers.set(controller, (byHandler = new WeakMap()));
    let isPublic = byHandler.get(handler);
    if (isPublic === undefined) {
      isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [handler, controller]) === true;
      byHandler.set(handler, isPublic);
    }
    return isPublic;
  }

  /**
   * Whether `@OptionalAuth()` is on the handler or its class: then a request without a token passes with no user (a
   * presented token is still verified). Asked only when a request has no token.
   */
  protected isOptional(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean | undefined>(IS_OPTIONAL_AUTH_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  /** The exception thrown for a missing or rejected token; Nest renders it as `{ statusCode: 401, message, error }`. */
  protected unauthorized(message: string): Error {
    return new UnauthorizedException(message);
  }

  private acceptIfActive(active: boolean, context: ExecutionContext, request: AuthRequest, payload: AccessTokenPayload): boolean {
    if (!active) throw this.reject(context, INVALID_TOKEN_CHALLENGE, this.config.messages.tokenInvalid);
    return this.accept(request, payload);
  }

  /**
   * The 401 to throw; over HTTP the answer also gets its `WWW-Authenticate` challenge (RFC 6750 §3). In GraphQL no header
   * is written (the response may be shared by several fields, or be a WebSocket); the error carries
   * `extensions.code: 'UNAUTHENTICATED'` instead, which graphql-js copies from the original error into the answer.
   */
  private reject(context: ExecutionContext, challenge: string, message: string): Error {
    const type = context.getType<string>();
    if (type === 'http') setResponseHeader(context.getArgByIndex(1), 'WWW-Authenticate', challenge);
    const error = this.unauthorized(message);
    if (type === 'graphql') withGraphqlCode(error, 'UNAUTHENTICATED');
    return error;
  }

  /**
   * Puts the payload on `request.user` ({@link REQUEST_USER_PROPERTY}), the only property the guard writes: Express gives
   * each request object a hidden class of its own, so every property added to it costs V8 a new hidden class per
   * request. On Express the property therefore already exists when the guard runs (`ExpressRequestUserReservation`,
   * registration option `reserveRequestUserProperty`), and this write only fills it. A route guarded twice (global
   * guard and `@UseGuards`) simply verifies twice; from its second request on, both are cache hits.
   */
  private accept(request: AuthRequest, payload: AccessTokenPayload): boolean {
    // A named write (not `request[REQUEST_USER_PROPERTY]`): V8 adds properties through keyed writes more reluctantly.
    (request as { user?: AccessTokenPayload }).user = payload;
    return true;
  }
}
