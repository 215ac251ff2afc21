/** Response of {@link HttpClient}: status, parsed JSON (or text) body and headers. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny real-HTTP client over `fetch`, so e2e tests go through sockets exactly like black-box clients do. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  get<T = any>(path: string, accessToken?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, undefined, accessToken, headers);
  }

  post<T = any>(path: string, body?: unknown, accessToken?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, body, accessToken, headers);
  }

  delete<T = any>(path: string, accessToken?: string): Promise<HttpResult<T>> {
    return this.request<T>('DELETE', path, undefined, accessToken);
  }

  /** Sends a raw body string with the given content type (malformed JSON, oversized bodies). */
  postRaw<T = any>(path: string, rawBody: string, contentType = 'application/json'): Promise<HttpResult<T>> {
    return this.send<T>('POST', path, { 'content-type': contentType }, rawBody);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    accessToken?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (accessToken !== undefined) allHeaders.authorization = `Bearer ${accessToken}`;
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    return this.send<T>(method, path, allHeaders, body === undefined ? undefined : JSON.stringify(body));
  }

  private async send<T>(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpResult<T>> {
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}
