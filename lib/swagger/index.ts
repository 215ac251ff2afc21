// nestjs-dual-token-auth/swagger: OpenAPI documentation of the built-in routes. Needs @nestjs/swagger (an optional peer).
export {
  ACCESS_TOKEN_SECURITY,
  REFRESH_COOKIE_SECURITY,
  addDualTokenAuthSecurity,
  documentDualTokenAuthRoutes,
  type DualTokenAuthSecurityOptions,
} from './document-dual-token-auth.js';
export { AuthErrorModel, RevokedCountModel, RevokedModel, SessionSummaryModel, TokenResponseModel } from './auth-api.models.js';
