import { Controller, Get, type Type } from '@nestjs/common';
import { Public } from '../decorators/public.decorator.js';
import { DualTokenService } from '../tokens/dual-token.service.js';

/**
 * Serves the access-token public keys at the configured path (registration option `jwksPath`). The document is built
 * once, at startup — which is also where an HMAC configuration is refused. Made per registration because the path is
 * a decorator argument; the class keeps its readable name for the startup log.
 */
export function createJwksController(path: string): Type<unknown> {
  @Controller()
  class DualTokenJwksController {
    private readonly document: { keys: unknown[] };

    constructor(tokens: DualTokenService) {
      this.document = tokens.accessTokenJwks();
    }

    @Public()
    @Get(path)
    jwks(): { keys: unknown[] } {
      return this.document;
    }
  }
  return DualTokenJwksController;
}
