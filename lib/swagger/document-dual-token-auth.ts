import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  type DocumentBuilder,
} from '@nestjs/swagger';
import { DualTokenAuthRoutes, DualTokenAuthRoutesWithQueryRefresh } from '../http/dual-token-auth.controller.js';
import { LoginDto } from '../http/dto/login.dto.js';
import { LogoutDto } from '../http/dto/logout.dto.js';
import { ReauthenticateDto } from '../http/dto/reauthenticate.dto.js';
import { RefreshTokenDto } from '../http/dto/refresh-token.dto.js';
import { AuthErrorModel, RevokedCountModel, RevokedModel, SessionSummaryModel, TokenResponseModel } from './auth-api.models.js';

/** Name of the access-token (Bearer) security scheme the routes refer to; {@link addDualTokenAuthSecurity} defines it. */
export const ACCESS_TOKEN_SECURITY = 'access-token';
/** Name of the refresh-cookie security scheme (cookie transport); {@link addDualTokenAuthSecurity} defines it. */
export const REFRESH_COOKIE_SECURITY = 'refresh-cookie';

/** What {@link addDualTokenAuthSecurity} puts into the document. */
export interface DualTokenAuthSecurityOptions {
  /** Name of the refresh-token cookie (`refreshTokenCookie.name`). @default 'refresh_token' */
  cookieName?: string;
}

type MethodDecorators = Array<MethodDecorator>;

const errors = {
  badRequest: ApiBadRequestResponse({ type: AuthErrorModel, description: 'A field is missing, of the wrong type or too long.' }),
  unauthorized: (description: string) => ApiUnauthorizedResponse({ type: AuthErrorModel, description }),
  throttled: ApiTooManyRequestsResponse({ type: AuthErrorModel, description: 'Too many attempts; `Retry-After` says when to try again.' }),
  unavailable: ApiServiceUnavailableResponse({ type: AuthErrorModel, description: 'The session store cannot be reached.' }),
};
const csrfHeader = ApiHeader({
  name: 'x-csrf-protection',
  required: false,
  description: 'Required (any value) when the refresh token comes in the cookie (cookie transport).',
});

/** The decorators of each built-in route, by method name of `DualTokenAuthRoutes`. */
const ROUTES: Record<string, MethodDecorators> = {
  login: [
    ApiOperation({ summary: 'Log in with username and password; starts a session' }),
    ApiBody({ type: LoginDto }),
    ApiCreatedResponse({ type: TokenResponseModel, description: 'A new session’s tokens (`Cache-Control: no-store`).' }),
    errors.badRequest,
    errors.unauthorized('Unknown user or wrong password (the same answer for both).'),
    errors.throttled,
    errors.unavailable,
  ],
  refresh: [
    ApiOperation({ summary: 'Exchange the refresh token for a new pair (rotation)' }),
    ApiBody({ type: RefreshTokenDto, required: false }),
    ApiCookieAuth(REFRESH_COOKIE_SECURITY),
    csrfHeader,
    ApiCreatedResponse({ type: TokenResponseModel, description: 'The next pair; the presented refresh token is rotated out.' }),
    errors.badRequest,
    errors.unauthorized('Invalid, expired, revoked or reused refresh token.'),
    errors.throttled,
    errors.unavailable,
  ],
  refreshFromQuery: [
    ApiOperation({ summary: 'Refresh with the token in the query string (opt-in: allowRefreshTokenInQuery)' }),
    ApiQuery({ name: 'refresh_token', required: true, type: String }),
    ApiOkResponse({ type: TokenResponseModel }),
    errors.unauthorized('Invalid, expired, revoked or reused refresh token.'),
    errors.throttled,
  ],
  logout: [
    ApiOperation({ summary: 'End the current session (by refresh token, cookie or access token)' }),
    ApiBody({ type: LogoutDto, required: false }),
    ApiBearerAuth(ACCESS_TOKEN_SECURITY),
    ApiCookieAuth(REFRESH_COOKIE_SECURITY),
    csrfHeader,
    ApiOkResponse({ type: RevokedModel }),
    errors.unauthorized('No token, or an invalid one.'),
  ],
  logoutAll: [
    ApiOperation({ summary: 'End every session of the current user' }),
    ApiBearerAuth(ACCESS_TOKEN_SECURITY),
    ApiOkResponse({ type: RevokedCountModel }),
    errors.unauthorized('No access token, or an invalid one.'),
  ],
  listSessions: [
    ApiOperation({ summary: 'The current user’s live sessions, newest first' }),
    ApiBearerAuth(ACCESS_TOKEN_SECURITY),
    ApiOkResponse({ type: SessionSummaryModel, isArray: true }),
    errors.unauthorized('No access token, or an invalid one.'),
  ],
  revokeSession: [
    ApiOperation({ summary: 'End one of the current user’s sessions' }),
    ApiBearerAuth(ACCESS_TOKEN_SECURITY),
    ApiParam({ name: 'id', format: 'uuid', description: 'The session id (from the session list).' }),
    ApiOkResponse({ type: RevokedModel }),
    ApiBadRequestResponse({ type: AuthErrorModel, description: 'The id is not a UUID.' }),
    errors.unauthorized('No access token, or an invalid one.'),
    ApiNotFoundResponse({ type: AuthErrorModel, description: 'No such session of this user.' }),
  ],
  reauthenticate: [
    ApiOperation({ summary: 'Prove the password again (step-up): renews auth_time of the current session' }),
    ApiBearerAuth(ACCESS_TOKEN_SECURITY),
    ApiBody({ type: ReauthenticateDto }),
    ApiCreatedResponse({ type: TokenResponseModel, description: 'The session’s next pair, carrying the new `auth_time`.' }),
    errors.badRequest,
    errors.unauthorized('No access token, an invalid one, or a wrong password.'),
    errors.throttled,
  ],
};

/** The request bodies' fields, documented on the library's own DTO classes. */
function documentRequestBodies(): void {
  ApiProperty({ maxLength: 256, example: 'guang' })(LoginDto.prototype, 'username');
  ApiProperty({ maxLength: 1024, format: 'password' })(LoginDto.prototype, 'password');
  ApiPropertyOptional({ description: 'The refresh token; omit it when it travels in the cookie.' })(RefreshTokenDto.prototype, 'refresh_token');
  ApiPropertyOptional({ description: 'The refresh token; omit it to log out by the access token or the cookie.' })(LogoutDto.prototype, 'refresh_token');
  ApiProperty({ maxLength: 1024, format: 'password', description: 'The current user’s password.' })(ReauthenticateDto.prototype, 'password');
}

let documented = false;

/**
 * Adds the OpenAPI metadata of `@nestjs/swagger` to the built-in routes (login, refresh, logout, logout-all, sessions,
 * reauthenticate): request bodies, answers, errors and security. Call it once before `SwaggerModule.createDocument`;
 * later calls do nothing. It lives in this entry so apps without `@nestjs/swagger` never load it.
 */
export function documentDualTokenAuthRoutes(): void {
  if (documented) return;
  documented = true;
  documentRequestBodies();
  for (const routes of [DualTokenAuthRoutes, DualTokenAuthRoutesWithQueryRefresh]) {
    for (const [method, decorators] of Object.entries(ROUTES)) {
      const descriptor = Object.getOwnPropertyDescriptor(routes.prototype, method);
      if (!descriptor) continue;
      for (const decorate of decorators) decorate(routes.prototype, method, descriptor);
    }
  }
  // On the class (the query-refresh variant inherits it), so Swagger does not also tag the routes with the class name.
  ApiTags('auth')(DualTokenAuthRoutes);
  ApiExtraModels(AuthErrorModel)(DualTokenAuthRoutes);
}

/**
 * Defines the security schemes the routes refer to: `access-token` (HTTP Bearer, JWT) and `refresh-cookie` (the
 * refresh token's cookie in cookie transport). Returns the builder, for chaining.
 */
export function addDualTokenAuthSecurity(builder: DocumentBuilder, options: DualTokenAuthSecurityOptions = {}): DocumentBuilder {
  return builder
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token.' }, ACCESS_TOKEN_SECURITY)
    .addCookieAuth(
      options.cookieName ?? 'refresh_token',
      { type: 'apiKey', in: 'cookie', description: 'The refresh token (cookie transport only).' },
      REFRESH_COOKIE_SECURITY,
    );
}
