import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addDualTokenAuthSecurity, documentDualTokenAuthRoutes } from 'nestjs-dual-token-auth/swagger';

/** Swagger UI at `/docs` and the OpenAPI document at `/docs-json`, with the library's routes fully documented. */
export function serveApiDocs(app: INestApplication): void {
  documentDualTokenAuthRoutes();
  const config = addDualTokenAuthSecurity(
    new DocumentBuilder().setTitle('nestjs-dual-token-auth sample app').setDescription('The tutorial’s routes and the auth routes.'),
  ).build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs-json' });
}
