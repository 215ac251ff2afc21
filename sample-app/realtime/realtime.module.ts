import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ConnectionAuthenticator, DualTokenAuthResolver, GraphqlWsAuthenticator } from 'nestjs-dual-token-auth/graphql';
import { SocketAuthenticator } from 'nestjs-dual-token-auth/websockets';
import { TutorialResolver } from './tutorial.resolver.js';
import { WhoamiGateway } from './whoami.gateway.js';

/** What the GraphQL module's factory injects: the graphql-ws hooks that authenticate subscriptions. */
@Module({ providers: [ConnectionAuthenticator, GraphqlWsAuthenticator], exports: [ConnectionAuthenticator, GraphqlWsAuthenticator] })
class SubscriptionAuthModule {}

/**
 * GraphQL at `POST /graphql` (Apollo on Express with subscriptions over graphql-ws at `/graphql`; Mercurius on Fastify)
 * and the socket.io gateway. The library's `AccessTokenGuard`, `@Public()` and `@CurrentUser()` work unchanged in both.
 */
@Module({})
export class RealtimeModule {
  static forRoot(httpAdapter: 'express' | 'fastify'): DynamicModule {
    const graphql =
      httpAdapter === 'express'
        ? GraphQLModule.forRootAsync<ApolloDriverConfig>({
            driver: ApolloDriver,
            imports: [SubscriptionAuthModule],
            inject: [GraphqlWsAuthenticator],
            useFactory: (subscriptionAuth: GraphqlWsAuthenticator) => ({
              autoSchemaFile: true,
              subscriptions: { 'graphql-ws': subscriptionAuth.options() },
            }),
          })
        : // No subscriptions here: mercurius's WebSocket plugin answers every upgrade request itself, which would push
          // socket.io off WebSockets. (MercuriusSubscriptionAuthenticator authenticates them where they are wanted.)
          GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true });
    return {
      module: RealtimeModule,
      imports: [graphql, SubscriptionAuthModule],
      providers: [TutorialResolver, DualTokenAuthResolver, SocketAuthenticator, WhoamiGateway],
    };
  }
}
