import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import { addDualTokenAuthSecurity, documentDualTokenAuthRoutes } from 'nestjs-dual-token-auth/swagger';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';
import { HTTP_ADAPTERS, type HttpAdapterFactory, authOptions, createScenarioApp } from './harness/scenario-app.js';

// nestjs-dual-token-auth/swagger: every built-in route in the OpenAPI document, with bodies, answers, errors, security.

type Operation = {
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string; items?: { $ref?: string } } }> }>;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  tags?: string[];
};

const ref = (name: string) => `#/components/schemas/${name}`;

describe.each(HTTP_ADAPTERS)('OpenAPI document of the auth routes on %s', (_name, createAdapter: HttpAdapterFactory) => {
  let app: INestApplication;
  let document: OpenAPIObject;
  const operation = (path: string, method: string) => (document.paths[path] as Record<string, Operation>)?.[method];
  const schemaOf = (name: string) => document.components!.schemas![name] as { properties: Record<string, unknown>; required?: string[] };

  beforeAll(async () => {
    app = await createScenarioApp(createAdapter, {
      imports: [DualTokenAuthModule.forRoot({ ...authOptions(), allowRefreshTokenInQuery: true })],
    });
    documentDualTokenAuthRoutes();
    document = SwaggerModule.createDocument(app, addDualTokenAuthSecurity(new DocumentBuilder().setTitle('test')).build());
  });
  afterAll(() => app.close());

  it('lists every auth route', () => {
    const routes = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'POST /user/login',
        'POST /user/refresh',
        'GET /user/refresh',
        'POST /user/logout',
        'POST /user/logout-all',
        'GET /user/sessions',
        'DELETE /user/sessions/{id}',
        'POST /user/reauthenticate',
      ].sort(),
    );
    for (const item of Object.values(document.paths)) {
      for (const op of Object.values(item as Record<string, Operation>)) expect(op.tags).toEqual(['auth']);
    }
  });

  it('documents request bodies with their fields', () => {
    expect(operation('/user/login', 'post').requestBody!.content['application/json'].schema.$ref).toBe(ref('LoginDto'));
    expect(schemaOf('LoginDto').properties).toEqual({
      username: expect.objectContaining({ type: 'string', maxLength: 256 }),
      password: expect.objectContaining({ type: 'string', maxLength: 1024, format: 'password' }),
    });
    expect(schemaOf('LoginDto').required).toEqual(['username', 'password']);
    expect(operation('/user/refresh', 'post').requestBody!.content['application/json'].schema.$ref).toBe(ref('RefreshTokenDto'));
    expect(schemaOf('RefreshTokenDto').properties).toHaveProperty('refresh_token');
    expect(operation('/user/logout', 'post').requestBody!.content['application/json'].schema.$ref).toBe(ref('LogoutDto'));
    expect(operation('/user/reauthenticate', 'post').requestBody!.content['application/json'].schema.$ref).toBe(ref('ReauthenticateDto'));
    expect(schemaOf('ReauthenticateDto').required).toEqual(['password']);
    expect(operation('/user/refresh', 'get').parameters).toEqual([expect.objectContaining({ name: 'refresh_token', in: 'query' })]);
    expect(operation('/user/sessions/{id}', 'delete').parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
  });

  it('documents answers and errors with schemas', () => {
    const json = (path: string, method: string, status: string) => operation(path, method).responses[status]?.content?.['application/json']?.schema;
    for (const [path, status] of [['/user/login', '201'], ['/user/refresh', '201'], ['/user/reauthenticate', '201']]) {
      expect(json(path, 'post', status)?.$ref).toBe(ref('TokenResponseModel'));
      expect(json(path, 'post', '401')?.$ref).toBe(ref('AuthErrorModel'));
      expect(json(path, 'post', '429')?.$ref).toBe(ref('AuthErrorModel'));
      expect(json(path, 'post', '400')?.$ref).toBe(ref('AuthErrorModel'));
    }
    expect(Object.keys(schemaOf('TokenResponseModel').properties).sort()).toEqual(
      ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type'].sort(),
    );
    expect(json('/user/sessions', 'get', '200')).toEqual({ type: 'array', items: { $ref: ref('SessionSummaryModel') } });
    expect(json('/user/logout', 'post', '200')?.$ref).toBe(ref('RevokedModel'));
    expect(json('/user/logout-all', 'post', '200')?.$ref).toBe(ref('RevokedCountModel'));
    expect(json('/user/sessions/{id}', 'delete', '404')?.$ref).toBe(ref('AuthErrorModel'));
    expect(Object.keys(schemaOf('AuthErrorModel').properties).sort()).toEqual(['error', 'message', 'statusCode']);
  });

  it('names the bearer scheme and the refresh cookie', () => {
    expect(document.components!.securitySchemes).toEqual({
      'access-token': expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      'refresh-cookie': expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'refresh_token' }),
    });
    for (const [path, method] of [['/user/logout-all', 'post'], ['/user/sessions', 'get'], ['/user/sessions/{id}', 'delete'], ['/user/reauthenticate', 'post']]) {
      expect(operation(path, method).security).toEqual([{ 'access-token': [] }]);
    }
    expect(operation('/user/refresh', 'post').security).toEqual([{ 'refresh-cookie': [] }]);
    expect(operation('/user/login', 'post').security).toBeUndefined();
  });
});

describe('sample app: /docs and /docs-json', () => {
  let sample: RunningSampleApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-openapi-'));
    sample = await startSampleApp({ SQLITE_PATH: path.join(dataDir, 'sample.sqlite') });
  });
  afterAll(async () => {
    await sample.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the OpenAPI document with every auth route and its schemas', async () => {
    const response = await fetch(`${sample.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenAPIObject;
    for (const [route, method] of [
      ['/user/login', 'post'],
      ['/user/refresh', 'post'],
      ['/user/refresh', 'get'],
      ['/user/logout', 'post'],
      ['/user/logout-all', 'post'],
      ['/user/sessions', 'get'],
      ['/user/sessions/{id}', 'delete'],
      ['/user/reauthenticate', 'post'],
    ]) {
      expect(Object.keys(document.paths[route] ?? {})).toContain(method);
    }
    expect(Object.keys(document.components!.schemas!)).toEqual(
      expect.arrayContaining(['LoginDto', 'RefreshTokenDto', 'TokenResponseModel', 'SessionSummaryModel', 'AuthErrorModel']),
    );
    expect(Object.keys(document.components!.securitySchemes!)).toEqual(['access-token', 'refresh-cookie']);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${sample.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('swagger-ui');
  });
});
