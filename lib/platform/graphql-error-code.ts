/**
 * Gives an error the `extensions.code` GraphQL clients switch on (`UNAUTHENTICATED`, `FORBIDDEN`), keeping any
 * extensions it already has. graphql-js copies an original error's `extensions` into the answer, so this works on
 * every driver (Apollo would derive the code from the HTTP status itself; Mercurius would not).
 */
export function withGraphqlCode(error: Error, code: string): void {
  const target = error as Error & { extensions?: Record<string, unknown> };
  if (target.extensions?.code === undefined) target.extensions = { ...target.extensions, code };
}
