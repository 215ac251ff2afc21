import { describe, expect, it } from '@jest/globals';
import { measureClientBundles } from './harness/client-bundle-size.js';

// What a consumer's bundler ships (esbuild, minified, tree-shaken, gzip 9), measured as bench/src/client-size.ts does.
describe('client bundle size (issue 16 item 5)', () => {
  it('ships the optional parts only to those who import them', async () => {
    const sizes = Object.fromEntries((await measureClientBundles()).map((size) => [size.id, size]));
    const files = (id: string): string[] => sizes[id].modules.map((m) => m.file);
    for (const optional of ['cross-tab', 'axios', 'realtime']) {
      expect({ optional, inCore: files('core').some((file) => file.includes(optional)) }).toEqual({ optional, inCore: false });
    }
    // The retry of lost refresh answers is exported by client/core but shipped only when passed as refreshRetry.
    expect(files('core')).not.toContain('lib/client/lost-refresh-retry.plugin.ts');
    expect(files('core+retry')).toContain('lib/client/lost-refresh-retry.plugin.ts');
    expect(files('client')).toContain('lib/client/lost-refresh-retry.plugin.ts');
    // So are expiry from JWT claims (with its clock-skew correction) and the replay of non-string bodies.
    for (const [id, plugin] of [
      ['core+jwt-expiry', 'lib/client/jwt-expiry.plugin.ts'],
      ['core+replay-bodies', 'lib/client/replayable-bodies.plugin.ts'],
    ]) {
      expect(files('core')).not.toContain(plugin);
      expect(files(id)).toContain(plugin);
      expect(files('client')).toContain(plugin);
    }
    expect(files('core')).not.toContain('lib/client/jwt-expiry.ts');
    expect(files('core+cross-tab')).toEqual(expect.arrayContaining(['lib/client/cross-tab-sync.ts', 'lib/client/cross-tab-coordinator.ts']));
    expect(files('core+axios')).toContain('lib/client/axios-adapter.ts');
    expect(files('core+realtime')).toContain('lib/client/realtime-auth.ts');
    // The backwards-compatible entry keeps cross-tab coordination wired into createAuthSession.
    expect(files('client')).toContain('lib/client/cross-tab-sync.ts');
    for (const id of ['core+retry', 'core+jwt-expiry', 'core+replay-bodies', 'core+cross-tab', 'core+local-storage', 'core+axios', 'core+realtime']) {
      expect({ id, grows: sizes[id].gzipBytes > sizes.core.gzipBytes }).toEqual({ id, grows: true });
    }
  }, 120_000);
});
