// A fixed number of requests, timed to the last response: for routes so slow (argon2id hashing) that a fixed-length
// window would end with many requests in flight, which autocannon drops.
import autocannon from 'autocannon';
import { loadResult, SERVER_CPU, type LoadResult } from './load.js';
import { coreTimes, processCpuSeconds } from './system.js';

export interface CountedLoadOptions {
  url: string;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
  connections: number;
  /** Requests to send; the window ends with the last response. */
  amount: number;
  /** Server to account CPU time for. */
  serverPid: number;
}

/**
 * Sends `amount` requests over `connections` and reports them like `runLoad` does. The rate is 2xx responses over the
 * time from the start to the last response: autocannon's own `duration` in this mode ends on its once-a-second
 * tick, which made rates of a 4.3-second window read as 64 requests / 4 s or / 5 s.
 */
export async function runCountedLoad(options: CountedLoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(options.serverPid);
  const coreBefore = coreTimes(SERVER_CPU);
  const started = process.hrtime.bigint();
  let lastResponse = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}${options.path}`,
        method: options.method,
        connections: options.connections,
        amount: options.amount,
        ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
        timeout: 60,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client: autocannon.Client, statusCode: number, _bytes: number, responseTime: number) => {
      lastResponse = process.hrtime.bigint();
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  // CPU up to now, not to the last response: the server may still be finishing a request that failed on our side.
  const serverCpu = processCpuSeconds(options.serverPid) - cpuBefore;
  const coreAfter = coreTimes(SERVER_CPU);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  return loadResult({ result, seconds: Number(lastResponse - started) / 1e9, wall, latencies, serverCpu, coreBefore, coreAfter });
}
