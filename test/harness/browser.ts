import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/install-chromium.sh installs it); browsers are never downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium running as root on a machine whose network reaches only package mirrors: no sandbox
 * (root), no GPU, and none of the background traffic (component updates, sync, QUIC probing) that would only time out.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Launches headless Debian Chromium through playwright-core. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run "bash scripts/install-chromium.sh" first (it installs Debian's chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

/** Options of {@link startPageSession}. */
export interface PageSessionOptions {
  /** LocalStorageTokenStorage key (also names the cross-tab channel and lock). */
  key: string;
  /** Keep the tokens in the tab's sessionStorage instead of localStorage. @default false */
  perTab?: boolean;
  /**
   * Route the cross-tab messages through a channel whose deliveries the test can hold back
   * (`window.holdMessages()` / `window.releaseMessages()`), to make another tab's message arrive late. @default false
   */
  gatedChannel?: boolean;
}

/**
 * Creates a second client session in a page that loaded the client bundle (the demo page), as `window.session`,
 * independent of the page's own: the given storage key, no proactive refresh. Its `tokensChanged` sources are
 * collected in `window.tokenChanges`. Everything else (Web Locks, BroadcastChannel, storage) is the browser's own.
 */
export async function startPageSession(page: Page, options: PageSessionOptions): Promise<void> {
  await page.evaluate(({ key, perTab, gatedChannel }) => {
    type Listener = (event: { data: unknown }) => void;
    const w = window as unknown as Record<string, unknown> & { DualTokenAuthClient: any; session: any };
    const client = w.DualTokenAuthClient;
    let held: Array<{ data: unknown }> | null = null;
    const listeners = new Set<Listener>();
    w.holdMessages = () => void (held ??= []);
    w.releaseMessages = () => {
      const queued = held ?? [];
      held = null;
      for (const event of queued) for (const listener of listeners) listener(event);
    };
    const createChannel = (name: string) => {
      const channel = new BroadcastChannel(name);
      channel.addEventListener('message', (event) => {
        if (held) held.push({ data: event.data });
        else for (const listener of listeners) listener({ data: event.data });
      });
      return {
        postMessage: (message: unknown) => channel.postMessage(message),
        addEventListener: (_type: 'message', listener: Listener) => void listeners.add(listener),
        removeEventListener: (_type: 'message', listener: Listener) => void listeners.delete(listener),
        close: () => channel.close(),
      };
    };
    const storage = new client.LocalStorageTokenStorage({ key, storage: perTab ? sessionStorage : localStorage });
    w.session = client.createAuthSession({
      baseUrl: location.origin,
      storage,
      proactiveRefresh: false,
      ...(gatedChannel ? { crossTab: { createChannel } } : {}),
    });
    const changes: string[] = [];
    w.tokenChanges = changes;
    w.session.on('tokensChanged', (event: { source: string }) => changes.push(event.source));
  }, { key: options.key, perTab: options.perTab ?? false, gatedChannel: options.gatedChannel ?? false });
}

/** The access token `window.session` holds in `page`, or null. */
export function pageAccessToken(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { session: { getAccessToken(): Promise<string | null> } }).session.getAccessToken());
}
