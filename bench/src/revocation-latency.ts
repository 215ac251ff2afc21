// Cross-instance revocation latency: a logout answered by instance A, timed until instance B refuses the same access
// token. Both instances cache "session active" far longer than the test runs (revocationCheckCacheSeconds), so only
// the push over Redis pub/sub (RedisSessionRevocationBus) can make B refuse it in time.
import { bearer, type BenchServer } from './load.js';
import { BENCH_PASSWORD, BENCH_USERNAME } from './shared.js';

export interface RevocationLatencyResult {
  /** Milliseconds from A's logout answer to B's first 401 for that access token, one per logout that B enforced. */
  latenciesMs: number[];
  /** Logouts B had not enforced after {@link RevocationLatencyResult.timeoutMs} (counted as infinitely late). */
  missed: number;
  timeoutMs: number;
  /** Round trip of every guarded GET on B after a logout: the resolution of a latency sample (B is polled back to back). */
  pollRoundTripMs: number[];
  /** `revocationCheckCacheSeconds` of both instances. */
  cacheSeconds: number;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text() };
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * Per sample: log in on A; B serves the access token once (and caches the session as active); log out on A; then GET
 * B's guarded route back to back until it answers 401. A sample is the time from A's logout answer to that 401.
 */
export async function measureRevocationLatency(a: BenchServer, b: BenchServer, samples: number, cacheSeconds: number, timeoutMs = 2000): Promise<RevocationLatencyResult> {
  const result: RevocationLatencyResult = { latenciesMs: [], missed: 0, timeoutMs, pollRoundTripMs: [], cacheSeconds };
  for (let i = 0; i < samples; i += 1) {
    const login = await call(`${a.url}/user/login`, json({ username: BENCH_USERNAME, password: BENCH_PASSWORD }));
    if (login.status !== 201) throw new Error(`login on A answered ${login.status}: ${login.body}`);
    const tokens = JSON.parse(login.body) as { access_token: string; refresh_token: string };
    const guarded = `${b.url}/ours`;
    const before = await call(guarded, { headers: bearer(tokens.access_token) });
    if (before.status !== 200) throw new Error(`B answered ${before.status} before the logout: ${before.body}`);
    const logout = await call(`${a.url}/user/logout`, json({ refresh_token: tokens.refresh_token }));
    if (logout.status !== 200) throw new Error(`logout on A answered ${logout.status}: ${logout.body}`);
    const loggedOut = performance.now();
    for (;;) {
      const sent = performance.now();
      const { status } = await call(guarded, { headers: bearer(tokens.access_token) });
      const answered = performance.now();
      result.pollRoundTripMs.push(answered - sent);
      const elapsed = answered - loggedOut;
      if (status === 401) {
        result.latenciesMs.push(elapsed);
        break;
      }
      if (status !== 200) throw new Error(`B answered ${status} while waiting for the revocation`);
      if (elapsed > timeoutMs) {
        result.missed += 1;
        break;
      }
    }
  }
  return result;
}
