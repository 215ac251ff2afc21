/** URL helpers shared by the session and the adapters. */

/** True for URLs with a scheme (`https://…`, `http://…`). */
export function isAbsoluteUrl(url: string): boolean {
  return /^[a-z][a-z\d+\-.]*:/i.test(url);
}

/** Joins a base URL and a path with exactly one slash; absolute `path`s are returned unchanged. */
export function joinUrl(base: string, path: string): string {
  return isAbsoluteUrl(path) ? path : `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * The URL relative request URLs are resolved against in a browser, the way fetch and XMLHttpRequest do it: the
 * document's base URL (which a `<base href>` changes), else the page URL. Undefined outside a browser, where relative
 * request URLs cannot be requested at all.
 */
export function documentUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: unknown }; location?: { href?: unknown } };
  const url = g.document?.baseURI || g.location?.href;
  return typeof url === 'string' ? url : undefined;
}

/** Parses `url` relative to `base` (when given and valid); null when it cannot be resolved. */
export function resolveUrl(url: string, base?: string): URL | null {
  try {
    return base === undefined ? new URL(url) : new URL(url, base);
  } catch {
    return null;
  }
}

/** `scheme://host[:port]` of a URL string, or null when it is not an absolute URL. */
export function originOf(url: string): string | null {
  const parsed = resolveUrl(url);
  return parsed && parsed.origin !== 'null' ? parsed.origin : null;
}

/** URL without query string and fragment, used to recognise the auth endpoints. */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
