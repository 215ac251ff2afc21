/** Metadata keys of the authorization decorators; namespaced so they cannot clash with other libraries' `roles` keys. */
export const ROLES_KEY = 'DUAL_TOKEN_AUTH:ROLES';
export const PERMISSIONS_KEY = 'DUAL_TOKEN_AUTH:PERMISSIONS';
export const AUTHORIZE_KEY = 'DUAL_TOKEN_AUTH:AUTHORIZE';
export const RECENT_LOGIN_KEY = 'DUAL_TOKEN_AUTH:RECENT_LOGIN';
