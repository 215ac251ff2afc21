// The ExecutionContext a guard receives for an HTTP request, for the micro-benchmark's direct guard calls.
import type { ExecutionContext, Type } from '@nestjs/common';

// The argument-host views by their place in the public interface (the root entry of @nestjs/common does not name them).
type HttpArgumentsHost = ReturnType<ExecutionContext['switchToHttp']>;
type RpcArgumentsHost = ReturnType<ExecutionContext['switchToRpc']>;
type WsArgumentsHost = ReturnType<ExecutionContext['switchToWs']>;

const noop = () => undefined;

/**
 * Shaped like Nest's own `ExecutionContextHost` (arguments array, class and handler as fields, accessors on the
 * prototype), so a call costs what it costs under Nest; that class is internal to `@nestjs/core`, so the bench builds
 * its own from the public `ExecutionContext` interface. Only the HTTP view is supported: the guards under test are
 * HTTP guards.
 */
export class HttpExecutionContext implements ExecutionContext, HttpArgumentsHost {
  private readonly args: [request: unknown, response: unknown, next: () => undefined];

  constructor(
    request: unknown,
    private readonly controller: Type<unknown>,
    private readonly handler: (...args: unknown[]) => unknown,
  ) {
    this.args = [request, {}, noop];
  }

  getType<TContext extends string = 'http'>(): TContext {
    return 'http' as TContext;
  }

  getClass<T = unknown>(): Type<T> {
    return this.controller as Type<T>;
  }

  getHandler(): (...args: unknown[]) => unknown {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as unknown as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  switchToHttp(): HttpArgumentsHost {
    return this;
  }

  getRequest<T = unknown>(): T {
    return this.args[0] as T;
  }

  getResponse<T = unknown>(): T {
    return this.args[1] as T;
  }

  getNext<T = unknown>(): T {
    return this.args[2] as T;
  }

  switchToRpc(): RpcArgumentsHost {
    throw new Error('HttpExecutionContext: HTTP only');
  }

  switchToWs(): WsArgumentsHost {
    throw new Error('HttpExecutionContext: HTTP only');
  }
}
