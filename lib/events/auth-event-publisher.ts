import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import type { DualTokenAuthEvent } from '../interfaces/auth-event.interface.js';

/** An event as a publisher hands it over: the publisher stamps `at`. */
export type UnstampedAuthEvent = DistributiveOmit<DualTokenAuthEvent, 'at'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Hands events to the configured `onEvent` listener without letting it slow down or break authentication: the listener
 * is not awaited, and its errors are logged.
 */
@Injectable()
export class AuthEventPublisher {
  private readonly logger = new Logger('DualTokenAuth');

  constructor(@Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig) {}

  publish(event: UnstampedAuthEvent): void {
    const listener = this.config.onEvent;
    if (!listener) return;
    try {
      const result = listener({ ...event, at: new Date() } as DualTokenAuthEvent);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((error: unknown) => this.report(error));
      }
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    this.logger.warn(`onEvent listener failed: ${(error as Error)?.message ?? String(error)}`);
  }
}
