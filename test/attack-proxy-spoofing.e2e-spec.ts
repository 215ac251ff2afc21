import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DualTokenAuthModule, type DualTokenAuthEvent, type DualTokenAuthOptions } from 'nestjs-dual-token-auth';
import { DEFAULT_USERS, HTTP_ADAPTERS, type HttpAdapterFactory, InMemoryUserLookup, authOptions, createScenarioApp } from './harness/scenario-app.js';
import { SourceAddressHttpClient } from './harness/source-address-http.js';

/** The app listens on 127.0.0.1; requests from 127.0.0.1 play the reverse proxy, from 127.0.0.2 a client reaching the app directly. */
const PROXY = '127.0.0.1';
const DIRECT_CLIENT = '127.0.0.2';
const ATTACKER = '198.51.100.66';
const GUANG = '203.0.113.20';
const USERS = [...DEFAULT_USERS, { id: 3, username: 'guang', password: '123456' }];

// Who the client is: the limits must count on the real client behind a trusted proxy, never on an address the client
// wrote into X-Forwarded-For itself, and never on the proxy's address shared by everyone.
describe.each(HTTP_ADAPTERS)('attack: X-Forwarded-For and client keys on %s', (_platform, createAdapter: HttpAdapterFactory) => {
  const running: INestApplication[] = [];

  async function start(overrides: Partial<DualTokenAuthOptions> = {}) {
    const events: DualTokenAuthEvent[] = [];
    const app = await createScenarioApp(createAdapter, {
      imports: [
        DualTokenAuthModule.forRoot(
          authOptions({ userLookup: new InMemoryUserLookup(USERS), onEvent: (event) => void events.push(event), ...overrides }),
        ),
      ],
    });
    running.push(app);
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    return { proxy: new SourceAddressHttpClient(baseUrl, PROXY), direct: new SourceAddressHttpClient(baseUrl, DIRECT_CLIENT), events };
  }

  /** A login as it arrives at the app, with the X-Forwarded-For header it carries (if any). */
  const login = (via: SourceAddressHttpClient, username: string, password: string, forwardedFor?: string) =>
    via.post('/user/login', { username, password }, undefined, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  it('without trustProxy a spoofed X-Forwarded-For is ignored: a new one per attempt gives no fresh budget', async () => {
    const { direct, events } = await start();

    for (let i = 1; i <= 10; i += 1) expect((await login(direct, 'alice', `guess-${i}`, `192.0.2.${i}`)).status).toBe(401);
    expect((await login(direct, 'alice', 'alice-password', '192.0.2.99')).status).toBe(429);

    // Events name the peer, not what it claimed.
    const ips = new Set(events.map((event) => ('ip' in event ? event.ip : undefined)));
    expect([...ips].map((ip) => String(ip).replace(/^::ffff:/, ''))).toEqual([DIRECT_CLIENT]);
  });

  it('with trustProxy: 1, an attacker exhausting his budgets behind the proxy does not lock out guang behind the same proxy', async () => {
    const { proxy, events } = await start({ trustProxy: 1, rateLimit: { maxFailuresPerIp: 20 } });

    for (let i = 1; i <= 10; i += 1) expect((await login(proxy, 'guang', `guess-${i}`, ATTACKER)).status).toBe(401);
    for (let i = 1; i <= 10; i += 1) expect((await login(proxy, `sprayed-${i}`, 'Summer2026!', ATTACKER)).status).toBe(401);
    expect((await login(proxy, 'guang', '123456', ATTACKER)).status).toBe(429);
    expect((await login(proxy, 'bob', 'bob-password', ATTACKER)).status).toBe(429);
    // Writing guang's address in front of what the proxy appends changes nothing: only the proxy's entry is believed.
    expect((await login(proxy, 'guang', '123456', `${GUANG}, ${ATTACKER}`)).status).toBe(429);

    const guang = await login(proxy, 'guang', '123456', GUANG);
    expect(guang.status).toBe(201);
    // Sessions and events record the client the proxy named, not the proxy.
    const sessions = await proxy.get('/user/sessions', guang.body.access_token);
    expect(sessions.body).toEqual([expect.objectContaining({ ip: GUANG, current: true })]);
    expect(events.at(-1)).toMatchObject({ type: 'login.succeeded', ip: GUANG });
  });

  it('with trustProxy listing the proxy, only that peer may name the client; anyone else is counted on its own address', async () => {
    const { proxy, direct } = await start({ trustProxy: PROXY });

    for (let i = 1; i <= 10; i += 1) expect((await login(direct, 'alice', `guess-${i}`, `192.0.2.${i}`)).status).toBe(401);
    expect((await login(direct, 'alice', 'alice-password', GUANG)).status).toBe(429);

    // Behind the listed proxy, the named clients count apart.
    for (let i = 1; i <= 10; i += 1) expect((await login(proxy, 'alice', `guess-${i}`, ATTACKER)).status).toBe(401);
    expect((await login(proxy, 'alice', 'alice-password', ATTACKER)).status).toBe(429);
    expect((await login(proxy, 'alice', 'alice-password', GUANG)).status).toBe(201);
  });

  it('IPv6 clients in one /64 share a budget (and an IPv4-mapped address is its IPv4 client); the next /64 does not', async () => {
    const { proxy } = await start({ trustProxy: 'loopback' });

    for (let i = 1; i <= 10; i += 1) expect((await login(proxy, 'alice', `guess-${i}`, `2001:db8:1:2::${i.toString(16)}`)).status).toBe(401);
    expect((await login(proxy, 'alice', 'alice-password', '2001:db8:1:2:ffff:ffff:ffff:fffe')).status).toBe(429);
    expect((await login(proxy, 'alice', 'alice-password', '2001:db8:1:3::1')).status).toBe(201);

    for (let i = 1; i <= 5; i += 1) expect((await login(proxy, 'bob', `guess-${i}`, '198.51.100.7')).status).toBe(401);
    for (let i = 6; i <= 10; i += 1) expect((await login(proxy, 'bob', `guess-${i}`, '::ffff:198.51.100.7')).status).toBe(401);
    expect((await login(proxy, 'bob', 'bob-password', '198.51.100.7')).status).toBe(429);
  });

  it('rateLimit.clientKey replaces the address: two API keys from one IP have separate budgets', async () => {
    const { direct } = await start({ rateLimit: { clientKey: (request: { headers: Record<string, unknown> }) => request.headers['x-api-key'] as string } });
    const withKey = (key: string, username: string, password: string) =>
      direct.post('/user/login', { username, password }, undefined, { 'x-api-key': key });

    for (let i = 1; i <= 10; i += 1) expect((await withKey('tenant-a', 'alice', `guess-${i}`)).status).toBe(401);
    expect((await withKey('tenant-a', 'alice', 'alice-password')).status).toBe(429);
    expect((await withKey('tenant-b', 'alice', 'alice-password')).status).toBe(201);
  });

  it('trustProxy: true is refused at startup with a message saying what to configure', async () => {
    await expect(start({ trustProxy: true as never })).rejects.toThrow(/trustProxy: true would believe any X-Forwarded-For header/);
  });
});
