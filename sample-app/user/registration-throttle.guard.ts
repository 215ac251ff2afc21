import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { EnvironmentVariables } from '../config/environment-variables.js';

/**
 * Limits `POST /user/register` to `REGISTER_MAX_PER_HOUR_PER_IP` attempts per client IP and hour (off with
 * `RATE_LIMIT_ENABLED=false`), so one client cannot fill the users table or probe for taken names at speed. The
 * counter is rate-limiter-flexible's, as the library's own login limits; the IP is Express's `request.ip`, which
 * follows `TRUST_PROXY` (see create-sample-app.ts).
 */
@Injectable()
export class RegistrationThrottleGuard implements CanActivate {
  private readonly limiter?: RateLimiterMemory;

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    if (!config.get('RATE_LIMIT_ENABLED', { infer: true })) return;
    this.limiter = new RateLimiterMemory({
      keyPrefix: 'register_ip',
      points: config.get('REGISTER_MAX_PER_HOUR_PER_IP', { infer: true }),
      duration: 3600,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<{ ip?: string }>();
    try {
      await this.limiter.consume(request.ip ?? 'unknown');
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.ceil(rejection.msBeforeNext / 1000);
      http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('Retry-After', String(retryAfterSeconds));
      throw new HttpException(
        { statusCode: 429, message: `Too many sign-ups from this address, try again in ${retryAfterSeconds} seconds`, error: 'Too Many Requests' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
