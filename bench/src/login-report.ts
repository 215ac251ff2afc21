// The `login` section's target line and table (bench/src/login-throughput.ts measures it; report.ts places them).
import { loginRoundCpuRatios, loginRoundRatios, type LoginThroughputResult } from './login-throughput.js';
import type { TargetLine } from './report.js';
import { max, median, min } from './stats.js';

/** The floor of the target: logins/s over argon2id-only verifications/s. */
export const LOGIN_THROUGHPUT_FLOOR = 0.9;

const NAME = `Login ≥ ${LOGIN_THROUGHPUT_FLOOR}× argon2id-only route (logins/s)`;
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Judged on the median per-round req/s ratio; the CPU-per-request ratio is shown beside it. */
export function loginThroughputTarget(result: LoginThroughputResult | undefined): TargetLine {
  if (!result || result.rounds.length === 0) return { name: NAME, measured: 'not measured', detail: '', holds: undefined };
  const ratios = loginRoundRatios(result);
  const value = median(ratios);
  const logins = median(result.rounds.map((r) => r.login.rps));
  const verifications = median(result.rounds.flatMap((r) => r.brackets.map((b) => b.rps)));
  return {
    name: NAME,
    measured: `${fixed(value, 2)}×`,
    detail:
      `${fixed(logins, 1)} logins/s against ${fixed(verifications, 1)} verifications/s; rounds ${fixed(min(ratios), 2)}×–${fixed(max(ratios), 2)}×; ` +
      `by server CPU per request ${fixed(median(loginRoundCpuRatios(result)), 2)}×; UV_THREADPOOL_SIZE=${result.threadPoolSize}`,
    holds: value >= LOGIN_THROUGHPUT_FLOOR,
    figure: { scenario: 'login', against: 'argon2-only', value, rounds: ratios, limit: LOGIN_THROUGHPUT_FLOOR, direction: 'atLeast' },
  };
}

/** The section's table: per round, both routes' rates, CPU per request and latency. */
export function renderLoginSection(result: LoginThroughputResult): string[] {
  const ms = (us: number) => fixed(us / 1000, 2);
  const lines = [
    '## Login throughput: is it only hashing?',
    '',
    '`POST /user/login` against `POST /argon2-only`, a route that reads the same JSON body and runs the same argon2id ' +
      'verification (the library\'s `Argon2PasswordHasher`, 19 MiB, t=2, p=1, the same stored hash) and nothing else. ' +
      `Bracketed windows of ${result.requestsPerWindow} requests each (a window lasts as long as they take): argon2-only, login, ` +
      'argon2-only, ...; a round\'s ratio is the login window\'s logins/s over the mean of its brackets.',
    '',
    '| round | argon2-only before /s | login /s | argon2-only after /s | ratio | CPU ms per verification / login | login p50 / p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const ratios = loginRoundRatios(result);
  result.rounds.forEach((r, i) => {
    const bracketCpu = (r.brackets[0].cpuUsPerRequest + r.brackets[1].cpuUsPerRequest) / 2;
    lines.push(
      `| ${i + 1} | ${fixed(r.brackets[0].rps, 1)} | ${fixed(r.login.rps, 1)} | ${fixed(r.brackets[1].rps, 1)} | ${fixed(ratios[i]!, 3)}× | ` +
        `${ms(bracketCpu)} / ${ms(r.login.cpuUsPerRequest)} | ${fixed(r.login.p50, 0)} / ${fixed(r.login.p99, 0)} |`,
    );
  });
  const failed = result.rounds.reduce((sum, r) => sum + r.login.non2xx + r.login.errors, 0);
  lines.push('', `- ${result.note}${failed ? `; ${failed} failed logins` : ''}.`, '');
  return lines;
}
