import { request } from 'node:http';
import type { HttpResult } from './http-client.js';

/**
 * Real HTTP requests from a chosen local source address (e.g. `127.0.0.2`: all of 127/8 is loopback on Linux), so a
 * test can act as a second client IP against an app listening on `127.0.0.1`. Answers in the same shape as
 * {@link HttpClient} (a `Headers` object, JSON bodies parsed).
 */
export class SourceAddressHttpClient {
  constructor(
    readonly baseUrl: string,
    readonly localAddress: string,
  ) {}

  get<T = any>(path: string, accessToken?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.send<T>('GET', path, undefined, accessToken, headers);
  }

  post<T = any>(path: string, body?: unknown, accessToken?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.send<T>('POST', path, body, accessToken, headers);
  }

  private send<T>(
    method: string,
    path: string,
    body: unknown,
    accessToken: string | undefined,
    extraHeaders: Record<string, string>,
  ): Promise<HttpResult<T>> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...extraHeaders };
    if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers,
          localAddress: this.localAddress,
          agent: false,
          timeout: 15_000,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value === undefined) continue;
              for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
            }
            let parsed: unknown = text;
            if ((responseHeaders.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
            resolve({ status: incoming.statusCode ?? 0, body: parsed as T, headers: responseHeaders });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} from ${this.localAddress} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
