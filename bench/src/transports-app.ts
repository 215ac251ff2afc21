// The GraphQL resolver and socket.io gateways of the `transports` section, loaded by server.ts (dynamic import) only
// into servers that ask for them, so the HTTP scenarios' processes stay exactly as they were. Each pair of operations
// does the same work except authentication: the same return shape, one parameter decorator each, the same module.
import 'reflect-metadata';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseFilters, UseGuards, type DynamicModule, type Provider } from '@nestjs/common';
import { Context, Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ConnectedSocket, type OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AccessTokenGuard, CurrentUser, type AccessTokenPayload } from 'nestjs-dual-token-auth';
import { ConnectionAuthenticator, SocketAuthenticator, WsAuthExceptionFilter } from 'nestjs-dual-token-auth/websockets';
import { AllowAllGuard } from './app.js';
import type { ServerConfig } from './shared.js';

// ---------------------------------------------------------------------------------------------------------------
// GraphQL: `{ open { ok user } }` against `{ me { ok user } }` (the bodies are in transports.ts), same object type,
// same field resolution.

@ObjectType('BenchAnswer')
export class BenchAnswer {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { nullable: true })
  user!: string | null;
}

@Resolver(() => BenchAnswer)
export class BenchResolver {
  /** Unguarded: takes the GraphQL context (one parameter, like `me`) and answers without a user, as `GET /open` does. */
  @Query(() => BenchAnswer)
  open(@Context() _context: unknown): BenchAnswer {
    return { ok: true, user: null };
  }

  /** Informational: a guard that returns `true` (Nest's guard machinery for resolvers alone), otherwise as `open`. */
  @UseGuards(AllowAllGuard)
  @Query(() => BenchAnswer)
  allowAll(@Context() _context: unknown): BenchAnswer {
    return { ok: true, user: null };
  }

  /** The library's guard on the query, the caller from `@CurrentUser()`: the README's GraphQL usage. */
  @UseGuards(AccessTokenGuard)
  @Query(() => BenchAnswer)
  me(@CurrentUser() user: AccessTokenPayload): BenchAnswer {
    return { ok: true, user: user.sub };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// socket.io: `ping` with an acknowledgement, on namespace /open (no authentication at all) and on /auth (handshake
// authenticated by SocketAuthenticator, AccessTokenGuard and @CurrentUser() on the handler, as in the README).

@WebSocketGateway({ namespace: 'open' })
@UseFilters(WsAuthExceptionFilter)
export class OpenGateway {
  @SubscribeMessage('ping')
  ping(@ConnectedSocket() _client: unknown): { ok: boolean; user: string | null } {
    return { ok: true, user: null };
  }
}

@WebSocketGateway({ namespace: 'auth' })
@UseFilters(WsAuthExceptionFilter)
export class AuthGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('ping')
  ping(@CurrentUser() user: AccessTokenPayload): { ok: boolean; user: string | null } {
    return { ok: true, user: user.sub };
  }
}

/** Informational: the handshake authenticated as on /auth, but no guard on the handler (`@CurrentUser()` reads the handshake's user). */
@WebSocketGateway({ namespace: 'auth-handshake-only' })
@UseFilters(WsAuthExceptionFilter)
export class HandshakeOnlyGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @SubscribeMessage('ping')
  ping(@CurrentUser() user: AccessTokenPayload): { ok: boolean; user: string | null } {
    return { ok: true, user: user.sub };
  }
}

/** Informational: no authentication, a guard that returns `true` on the handler (Nest's WebSocket guard machinery alone). */
@WebSocketGateway({ namespace: 'allow-all' })
@UseFilters(WsAuthExceptionFilter)
export class AllowAllGateway {
  @UseGuards(AllowAllGuard)
  @SubscribeMessage('ping')
  ping(@ConnectedSocket() _client: unknown): { ok: boolean; user: string | null } {
    return { ok: true, user: null };
  }
}

/** What server.ts adds to the bench module for a `transports` server. */
export function transportParts(config: ServerConfig): { imports: DynamicModule[]; providers: Provider[] } {
  const imports: DynamicModule[] = [];
  const providers: Provider[] = [];
  if (config.graphql === 'apollo') {
    imports.push(GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }));
    providers.push(BenchResolver);
  } else if (config.graphql === 'mercurius') {
    imports.push(GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true }));
    providers.push(BenchResolver);
  }
  if (config.socketIo) providers.push(ConnectionAuthenticator, SocketAuthenticator, OpenGateway, AuthGateway, HandshakeOnlyGateway, AllowAllGateway);
  return { imports, providers };
}
