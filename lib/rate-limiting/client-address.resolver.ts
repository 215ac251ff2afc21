import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { clientAddressKey } from './client-address-key.js';

/** What the resolver reads from an Express request or a Fastify request (whose Node request is `raw`). */
export interface ClientRequestLike {
  headers: Record<string, string | string[] | undefined>;
  [key: string]: unknown;
}

/**
 * Who the client is, for rate limits, sessions and events: the TCP peer, or, behind proxies trusted by `trustProxy`, the
 * address they report in `X-Forwarded-For`.
 *
 * Computed here with `proxy-addr` (the package behind Express's `trust proxy` and Fastify's `trustProxy`) rather than
 * by setting the adapter's own option: the library cannot configure a Fastify instance the app has already created,
 * and reading `request.ip` would make the limits depend on a second, separately configured setting. This way both
 * platforms give the same answer for the same `trustProxy`, and a header from an untrusted peer is never believed.
 */
@Injectable()
export class ClientAddressResolver {
  private readonly trust: (address: string, hop: number) => boolean;

  constructor(@Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig) {
    const setting = config.trustProxy;
    this.trust = setting === false ? () => false : typeof setting === 'number' ? (_address, hop) => hop < setting : proxyaddr.compile(setting);
  }

  /** The client's address as reported by the trusted proxies, or the peer's address; `null` when the socket is gone. */
  addressOf(request: ClientRequestLike): string | null {
    const node = nodeRequestOf(request);
    if (!node?.socket?.remoteAddress) return typeof request.ip === 'string' ? request.ip : null;
    return proxyaddr(node, this.trust) ?? null;
  }

  /**
   * The key per-client limits count on: the `clientKey` hook's answer when it gives one, else the address grouped as
   * {@link clientAddressKey} describes; `'unknown'` when neither exists (all such requests share one budget).
   */
  async keyOf(request: ClientRequestLike, address: string | null = this.addressOf(request)): Promise<string> {
    const limits = this.config.rateLimit;
    const custom = limits && limits.clientKey ? await limits.clientKey(request) : undefined;
    if (typeof custom === 'string' && custom.length > 0) return custom;
    if (!address) return 'unknown';
    return clientAddressKey(address, limits ? limits.ipv6PrefixLength : 64);
  }
}

/** Express's request is Node's `IncomingMessage`; Fastify's wraps it as `raw`. */
function nodeRequestOf(request: ClientRequestLike): IncomingMessage | undefined {
  const raw = request.raw as IncomingMessage | undefined;
  const candidate = raw && typeof raw === 'object' && 'socket' in raw ? raw : (request as unknown as IncomingMessage);
  return candidate.socket ? candidate : undefined;
}
