/** Injection token of the options after defaults and validation (`ResolvedAuthConfig`). Internal: not exported. */
export const RESOLVED_AUTH_CONFIG = Symbol('DUAL_TOKEN_AUTH:RESOLVED_CONFIG');
