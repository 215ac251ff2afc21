// The many-users scenario (issue 16): a server with one access token per active user sees a different token on
// almost every request, so the verifier cache rarely helps and every request pays an HMAC. Measured on simultaneous
// pairs (simultaneous.ts) against the unguarded route receiving the same traffic, with the session check off and on,
// uniform and Zipf-skewed traffic, and the hand-written fast-jwt guard (no cache) beside ours.
import type { BenchServer } from './load.js';
import type { Settings } from './settings.js';
import type { AdapterName } from './shared.js';
import type { SimultaneousPair } from './simultaneous.js';
import { tokenSequence, topShare, ZIPF_EXPONENT } from './token-sequences.js';

/** Entries of the library's verified-access-token cache (lib/tokens/dual-token.service.ts), for the report's wording. */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 1000;

/** What the report needs besides the pairs' windows: the floor each server measured and its memory after the rounds. */
export interface ManyUsersResult {
  sessions: number;
  tokens: number;
  zipfExponent: number;
  /** Share of the Zipf mix's requests that carry one of its 1,000 most frequent tokens (a 1,000-entry cache's best case). */
  zipfTopThousandShare: number;
  /** Per pair of servers (by pair name): each server's verification floor in ns and its RSS in bytes after the rounds. */
  servers: { pair: string; adapter: AdapterName; sessionCheck: boolean; floorNs: number[]; rssBytes: number[] }[];
}

export function manyUsersPairs(settings: Settings, result: ManyUsersResult): SimultaneousPair[] {
  const pairs: SimultaneousPair[] = [];
  const manyUsers = { sessions: settings.manyUsersSessions, tokensPerSession: settings.manyUsersTokensPerSession };
  for (const adapter of ['express', 'fastify'] as const) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    for (const sessionCheck of [false, true]) {
      const pairName = `${adapter}-many-users${sessionCheck ? '-session-check' : ''}`;
      const idPrefix = `sim-${adapter}-many${sessionCheck ? '-session' : ''}`;
      const labelPrefix = `${name} · ${result.tokens.toLocaleString('en-US')} tokens${sessionCheck ? ', session check on' : ''}`;
      pairs.push({
        name: pairName,
        group: adapter,
        config: { adapter, sessionCheck, passport: false, tokenPool: 0, manyUsers },
        baseline: { path: '/open', tokens: 'ours', mix: 'uniform' },
        scenarios: [
          { id: `${idPrefix}-uniform`, label: `${labelPrefix} · AccessTokenGuard, uniform`, path: '/ours', tokens: 'ours', mix: 'uniform' },
          { id: `${idPrefix}-zipf`, label: `${labelPrefix} · AccessTokenGuard, Zipf (s = ${ZIPF_EXPONENT})`, path: '/ours', tokens: 'ours', mix: 'zipf' },
          ...(sessionCheck
            ? []
            : [{ id: `${idPrefix}-handwritten`, label: `${labelPrefix} · hand-written fast-jwt guard (no cache), uniform`, path: '/handwritten-uncached', tokens: 'ours' as const, mix: 'uniform' as const }]),
        ],
        afterRounds: async (servers: [BenchServer, BenchServer]) => {
          const memory = await Promise.all(servers.map((server) => server.memory()));
          result.servers.push({
            pair: pairName,
            adapter,
            sessionCheck,
            floorNs: servers.map((server) => server.ready.verificationFloorNs ?? Number.NaN),
            rssBytes: memory.map((m) => m.rss),
          });
        },
      });
    }
  }
  return pairs;
}

export function emptyManyUsersResult(settings: Settings): ManyUsersResult {
  const tokens = settings.manyUsersSessions * settings.manyUsersTokensPerSession;
  return {
    sessions: settings.manyUsersSessions,
    tokens,
    zipfExponent: ZIPF_EXPONENT,
    zipfTopThousandShare: topShare(tokenSequence('zipf', tokens), VERIFIED_TOKEN_CACHE_ENTRIES),
    servers: [],
  };
}
