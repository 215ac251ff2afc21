import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** The part of a Fastify instance this file uses (so it loads without Fastify installed). */
interface FastifyLike {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: undefined): unknown;
}

/**
 * On Fastify, declares `request.user` as a request decorator (value `undefined`) before the server starts, so every request
 * object is built with the property that `AccessTokenGuard` fills.
 *
 * Why: Fastify builds its request objects from one constructor, which gives them all one V8 hidden class; a property
 * added later by the guard moves each guarded request to another one, and Fastify's own code then sees requests of
 * two shapes. Fastify's documentation asks for exactly this ("decorate the request with the properties you will set,
 * so their shape stays the same"). Skipped when the app (or a plugin such as `@fastify/jwt` or passport) already
 * declared `user`; registration option `reserveRequestUserProperty: false` turns it off.
 *
 * Visible effect: `'user' in request` is true (value `undefined`) on requests the guard did not authenticate, as on
 * Express. Routes of Fastify plugins registered before the application bootstraps (a GraphQL driver's endpoint, for
 * one) keep the request shape they were built with: there the guard adds the property, as before.
 */
@Injectable()
export class FastifyRequestUserReservation implements OnApplicationBootstrap {
  private readonly logger = new Logger('DualTokenAuth');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    // No HTTP adapter in standalone application contexts and microservices.
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance() as Partial<FastifyLike> | undefined;
    if (typeof fastify?.hasRequestDecorator !== 'function' || typeof fastify.decorateRequest !== 'function') return;
    if (fastify.hasRequestDecorator('user')) return;
    try {
      fastify.decorateRequest('user', undefined);
    } catch (error) {
      // Decorating after the server started throws (an app initialised after listening): it only costs speed.
      this.logger.debug(`request.user not reserved on Fastify: ${(error as Error).message}`);
    }
  }
}
