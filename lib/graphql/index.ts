// nestjs-dual-token-auth/graphql: what GraphQL apps need beyond the guard and @CurrentUser() (which work in resolvers
// out of the box): authenticated subscriptions over graphql-ws. Provide GraphqlWsAuthenticator and
// ConnectionAuthenticator in a module the GraphQL module's factory imports.
export { ConnectionAuthenticator, type ConnectionEndReason, type LiveConnection } from '../transports/connection-authenticator.js';
export { GRAPHQL_WS_CLOSE_CODES, GraphqlWsAuthenticator, type GraphqlWsAuthOptions } from './graphql-ws-authenticator.js';
export { DualTokenAuthResolver } from './dual-token-auth.resolver.js';
export { AuthTokens } from './auth-tokens.object-type.js';
export { MercuriusSubscriptionAuthenticator, type MercuriusSubscriptionAuthOptions } from './mercurius-subscription-authenticator.js';
