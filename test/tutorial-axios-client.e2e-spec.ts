import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

/**
 * The tutorial's own front-end code (reference/tutorial-access-refresh-token.txt, the React page's axios
 * interceptors), ported to Node as literally as possible: the global `axios` becomes one axios instance, `localStorage`
 * a Map, `alert` a recorder, and `http://localhost:3000` the sample app's address. Nothing else is changed — not
 * even its known weaknesses (the queue is never emptied; a failed refresh leaves queued requests pending forever).
 */
function tutorialFrontEnd(baseUrl: string) {
  const store = new Map<string, string>();
  const localStorage = {
    getItem: (key: string): string | null => store.get(key) ?? null,
    setItem: (key: string, value: string): void => void store.set(key, String(value)),
  };
  const alerts: string[] = [];
  const alert = (message: string): void => void alerts.push(message);
  let refreshCalls = 0;

  const axiosInstance: AxiosInstance = axios.create();

  // ---- from the tutorial -------------------------------------------------------------------------------------------
  axiosInstance.interceptors.request.use(function (config) {
    const accessToken = localStorage.getItem('access_token');

    if (accessToken) {
      config.headers.authorization = 'Bearer ' + accessToken;
    }
    return config;
  });

  async function refreshToken() {
    refreshCalls++; // (test instrumentation: count the refresh calls)
    const res = await axiosInstance.get(`${baseUrl}/user/refresh`, {
      params: {
        refresh_token: localStorage.getItem('refresh_token'),
      },
    });
    localStorage.setItem('access_token', res.data.access_token || '');
    localStorage.setItem('refresh_token', res.data.refresh_token || '');
    return res;
  }

  interface PendingTask {
    config: AxiosRequestConfig;
    resolve: Function;
  }
  let refreshing = false;
  const queue: PendingTask[] = [];

  axiosInstance.interceptors.response.use(
    (response) => {
      return response;
    },
    async (error) => {
      let { data, config } = error.response;

      if (refreshing) {
        return new Promise((resolve) => {
          queue.push({
            config,
            resolve,
          });
        });
      }

      if (data.statusCode === 401 && !config.url.includes('/user/refresh')) {
        refreshing = true;

        const res = await refreshToken();

        refreshing = false;

        if (res.status === 200) {
          queue.forEach(({ config, resolve }) => {
            resolve(axiosInstance(config));
          });

          return axiosInstance(config);
        } else {
          alert('登录过期,请重新登录');
          return Promise.reject(res.data);
        }
      } else {
        return error.response;
      }
    },
  );

  async function login() {
    const res = await axiosInstance.post(`${baseUrl}/user/login`, {
      username: 'guang',
      password: '123456',
    });
    localStorage.setItem('access_token', res.data.access_token);
    localStorage.setItem('refresh_token', res.data.refresh_token);
  }

  async function query() {
    if (!localStorage.getItem('access_token')) {
      await login();
    }

    const { data: aaaData } = await axiosInstance.get(`${baseUrl}/aaa`);
    const { data: bbbData } = await axiosInstance.get(`${baseUrl}/bbb`);

    return { aaa: aaaData, bbb: bbbData }; // (the page did setAaa(aaaData); setBbb(bbbData))
  }
  // ---- end of the tutorial's code ----------------------------------------------------------------------------------

  return {
    axios: axiosInstance,
    localStorage,
    login,
    query,
    alerts,
    get refreshCalls() {
      return refreshCalls;
    },
    get queueLength() {
      return queue.length;
    },
  };
}

// The tutorial's front end against the sample app (which keeps its GET /user/refresh?refresh_token= and error bodies)
// on real MySQL, with 2 s access tokens so they really expire.
describe("the tutorial's axios front-end code against the sample app on MySQL", () => {
  let database: TestDatabase;
  let sample: RunningSampleApp;

  beforeAll(async () => {
    database = await startTestDatabase();
    sample = await startSampleApp({ DATABASE_URL: database.url, JWT_ACCESS_EXPIRES_IN: '2s' });
  }, 180_000);

  afterAll(async () => {
    await sample?.close();
    await database?.stop();
  });

  async function waitUntilExpired(accessToken: string): Promise<void> {
    const expiresAt = decodeJwt(accessToken).payload.exp * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50)));
    expect((await new HttpClient(sample.baseUrl).get('/bbb', accessToken)).status).toBe(401);
  }

  it('logs in on first use and shows /aaa and /bbb, like the page did', async () => {
    const page = tutorialFrontEnd(sample.baseUrl);
    expect(await page.query()).toEqual({ aaa: 'aaa', bbb: 'bbb' });
    expect(page.localStorage.getItem('access_token')).toEqual(expect.any(String));
    expect(page.refreshCalls).toBe(0);
  });

  it('expired access token + 10 concurrent /bbb requests: the interceptor refreshes and every request returns its data', async () => {
    const page = tutorialFrontEnd(sample.baseUrl);
    await page.login();
    const expired = page.localStorage.getItem('access_token')!;
    const oldRefresh = page.localStorage.getItem('refresh_token')!;
    await waitUntilExpired(expired);

    const responses = await Promise.all(Array.from({ length: 10 }, () => page.axios.get(`${sample.baseUrl}/bbb`)));

    expect(responses.map((r) => [r.status, r.data])).toEqual(Array(10).fill([200, 'bbb']));
    // The tutorial's `refreshing` flag queues the 401s that arrive while its refresh is running; 401s arriving after
    // it finished would each refresh again (that is the flag's race, and why the library compares tokens instead).
    expect(page.refreshCalls).toBeGreaterThanOrEqual(1);
    expect(page.refreshCalls).toBeLessThanOrEqual(10);
    expect(page.alerts).toEqual([]);
    // The GET refresh rotated both tokens into localStorage, and the new access token works.
    expect(page.localStorage.getItem('access_token')).not.toBe(expired);
    expect(page.localStorage.getItem('refresh_token')).not.toBe(oldRefresh);
    expect(await page.query()).toEqual({ aaa: 'aaa', bbb: 'bbb' });
  }, 30_000);

  it('the tutorial\'s manual test: a hand-edited (invalid) access_token is refreshed away and /bbb still answers', async () => {
    const page = tutorialFrontEnd(sample.baseUrl);
    await page.login();
    // "然后手动改下 access_token 的值,让它失效" — edit the stored access token by hand.
    page.localStorage.setItem('access_token', page.localStorage.getItem('access_token')! + 'x');

    expect(await page.query()).toEqual({ aaa: 'aaa', bbb: 'bbb' });
    expect(page.refreshCalls).toBe(1);
  }, 30_000);

  it('what it does not handle: when the refresh is rejected, its own 401 is queued behind itself and nothing ever settles', async () => {
    // The reason the library's client exists (test/client-node.e2e-spec.ts: every waiter gets SessionEndedError).
    const page = tutorialFrontEnd(sample.baseUrl);
    await page.login();
    const tokensBefore = page.localStorage.getItem('access_token');
    // The user logs out everywhere from another device: this page's session is revoked.
    const http = new HttpClient(sample.baseUrl);
    const elsewhere = await http.post('/user/login', { username: 'guang', password: '123456' });
    expect((await http.post('/user/logout-all', undefined, elsewhere.body.access_token)).status).toBe(200);

    const settled: string[] = [];
    const requests = Array.from({ length: 5 }, () =>
      page.axios.get(`${sample.baseUrl}/bbb`).then(
        () => settled.push('resolved'),
        () => settled.push('rejected'),
      ),
    );
    await Promise.race([Promise.all(requests), new Promise((resolve) => setTimeout(resolve, 2_000))]);

    // The refresh's 401 reaches the response interceptor while `refreshing` is still true, so it is queued like any
    // other request: refreshToken() never returns, the "please log in again" alert never shows, and the page's five
    // requests (the one that started the refresh included) stay pending forever.
    expect(page.refreshCalls).toBe(1);
    expect(page.alerts).toEqual([]);
    expect(settled).toEqual([]);
    expect(page.queueLength).toBe(5); // four /bbb requests and the refresh call itself
    expect(page.localStorage.getItem('access_token')).toBe(tokensBefore);
  }, 30_000);
});
