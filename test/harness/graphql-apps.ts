import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createScenarioApp } from './scenario-app.js';

export type GraphqlDriverName = 'apollo on express' | 'mercurius on fastify';

/** The GraphQL module of a driver, code-first with an in-memory schema; guards also run on field resolvers. */
export function graphqlModuleFor(driver: GraphqlDriverName, extra: Record<string, unknown> = {}) {
  return driver === 'apollo on express'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        fieldResolverEnhancers: ['guards'],
        ...extra,
      })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        autoSchemaFile: true,
        fieldResolverEnhancers: ['guards'],
        ...extra,
      });
}

/** Both drivers, for `describe.each(GRAPHQL_DRIVERS)`: Apollo needs Express, Mercurius Fastify. */
export const GRAPHQL_DRIVERS: GraphqlDriverName[] = ['apollo on express', 'mercurius on fastify'];

/** A running app of the driver's platform (listening on 127.0.0.1) and its base URL. */
export async function startGraphqlApp(
  driver: GraphqlDriverName,
  metadata: ModuleMetadata & { imports: NonNullable<ModuleMetadata['imports']> },
): Promise<{ app: INestApplication; url: string }> {
  const createAdapter = driver === 'apollo on express' ? () => new ExpressAdapter() : () => new FastifyAdapter();
  const app = await createScenarioApp(createAdapter, metadata);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url };
}

/** The answer of `POST /graphql` with plain fetch: the HTTP status, the headers and the GraphQL result. */
export interface GraphqlAnswer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }> };
}

export async function postGraphql(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphqlAnswer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphqlAnswer['body'] };
}
