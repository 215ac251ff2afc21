import { Controller, Get, Header, HttpCode, NotFoundException, StreamableFile } from '@nestjs/common';
import { Public } from 'nestjs-dual-token-auth';
import { CLIENT_BUNDLE_FILE, readClientBundle, readPageFile } from './demo-assets.js';

/**
 * Content-Security-Policy of the demo page: only same-origin scripts, styles and API calls, no inline code at all.
 * The page is plain HTML plus two script files (the client bundle and demo.js), so nothing needs `unsafe-inline`.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const JS = 'text/javascript; charset=utf-8';

/**
 * The tutorial's front-end page, rebuilt without a framework on `nestjs-dual-token-auth/client`: `GET /` serves the
 * page, `GET /dual-token-auth-client.js` the client bundle (`npm run build:sample` builds it into build/public).
 * Everything here is public: marked `@Public()` so it stays open even if the app switches to the global guard.
 */
@Public()
@Controller()
export class DemoController {
  @Get()
  @Header('content-security-policy', PAGE_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  @Header('cache-control', 'no-store')
  async page(): Promise<StreamableFile> {
    return file(await pageFile('index.html'), 'text/html; charset=utf-8');
  }

  @Get('demo.js')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  async script(): Promise<StreamableFile> {
    return file(await pageFile('demo.js'), JS);
  }

  @Get('demo.css')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  async style(): Promise<StreamableFile> {
    return file(await pageFile('demo.css'), 'text/css; charset=utf-8');
  }

  @Get(CLIENT_BUNDLE_FILE)
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  async clientBundle(): Promise<StreamableFile> {
    const bundle = await readClientBundle();
    if (bundle === null) {
      throw new NotFoundException(
        `${CLIENT_BUNDLE_FILE} has not been built: run "npm run build:sample" (or "node scripts/bundle-client.mjs build/public")`,
      );
    }
    return file(bundle, JS);
  }

  @Get(`${CLIENT_BUNDLE_FILE}.map`)
  @Header('cache-control', 'no-cache')
  async clientBundleSourceMap(): Promise<StreamableFile> {
    const map = await readClientBundle(`${CLIENT_BUNDLE_FILE}.map`);
    if (map === null) throw new NotFoundException();
    return file(map, 'application/json; charset=utf-8');
  }

  /** Browsers ask for it on every page; answering keeps their consoles free of 404 noise. */
  @Get('favicon.ico')
  @HttpCode(204)
  favicon(): void {}
}

async function pageFile(name: string): Promise<string> {
  const content = await readPageFile(name);
  if (content === null) throw new NotFoundException(`demo page file ${name} is missing`);
  return content;
}

/** StreamableFile sets Content-Type and Content-Length on Express and Fastify alike (and only on success). */
function file(content: string, type: string): StreamableFile {
  const bytes = Buffer.from(content, 'utf8');
  return new StreamableFile(bytes, { type, length: bytes.length });
}
