import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';

/** Servers that already reserve the property (the module may be registered more than once, an app initialised twice). */
const serversWithReservation = new WeakSet<object>();

/**
 * On Express, gives every incoming request an own `user` property (value `undefined`) before Express handles it, so
 * that `AccessTokenGuard` later fills a property that exists instead of adding one.
 *
 * Why: Express swaps the prototype of every request (`Object.setPrototypeOf`), which leaves each request object with a
 * V8 hidden class of its own, so every property added after that point builds a new hidden class for that one
 * request. Added before Express runs, the property lands on the hidden class all fresh Node requests share, where V8
 * has the transition cached. bench/README.md has the measurement (micro-benchmark "Express-shaped requests").
 *
 * Visible effect: on Express, `'user' in request` is true and `Object.keys(request)` lists `user` on every request,
 * also unauthenticated ones (with `undefined`). Registration option `reserveRequestUserProperty: false` turns it off.
 * Fastify is left alone: its request objects share hidden classes already.
 */
@Injectable()
export class ExpressRequestUserReservation implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    // No HTTP adapter in standalone application contexts and microservices.
    if (!adapter || adapter.getType() !== 'express') return;
    const server = adapter.getHttpServer() as Server | undefined;
    if (!server || typeof server.prependListener !== 'function' || serversWithReservation.has(server)) return;
    serversWithReservation.add(server);
    // Prepended: it has to run before Express's own 'request' listener swaps the prototype.
    server.prependListener('request', reserveUserProperty);
  }
}

function reserveUserProperty(request: IncomingMessage & { user?: unknown }): void {
  request.user = undefined;
}
