// The demo page's script: plain browser JavaScript on the global DualTokenAuthClient (the client bundle, loaded
// before this file). It does what the tutorial's React page did: log in, call /aaa and /bbb, fire concurrent
// requests with an expired token and show that one refresh serves them all, across tabs too.
(function () {
  'use strict';

  const {
    createAuthSession,
    LocalStorageTokenStorage,
    SessionEndedError,
    RefreshFailedError,
    LoginFailedError,
    decodeJwtPayload,
  } = window.DualTokenAuthClient;

  const $ = (id) => document.getElementById(id);
  const proactive = new URLSearchParams(location.search).get('proactive') !== 'off';

  // Tokens in localStorage: every tab of this origin shares them, so the session coordinates its refreshes with the
  // other tabs (Web Locks) and tells them about new tokens and logout (BroadcastChannel).
  const session = createAuthSession({
    baseUrl: '', // this page's origin: /user/login, /user/refresh, /user/logout
    storage: new LocalStorageTokenStorage(),
    proactiveRefresh: proactive,
  });
  window.demoSession = session; // for poking around in the devtools console

  let adopted = 0;

  // ---- event log -----------------------------------------------------------------------------------------------
  function log(text) {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    $('event-log').prepend(item);
  }

  // ---- status --------------------------------------------------------------------------------------------------
  async function renderStatus() {
    const tokens = await session.getTokens();
    const username = tokens ? decodeJwtPayload(tokens.accessToken)?.username : undefined;
    $('status').textContent = tokens ? `logged in as ${username ?? 'unknown user'}` : 'not logged in';
    $('status').dataset.loggedIn = String(Boolean(tokens));
  }

  function showEnded(reason) {
    const box = $('session-ended');
    box.textContent = `Your session has ended (${reason}). Please log in again.`;
    box.hidden = false;
  }

  /** Time left until the access token's `exp` (the server's verdict; the session itself plans with a safety margin). */
  async function renderExpiry() {
    const tokens = await session.getTokens();
    const exp = tokens ? decodeJwtPayload(tokens.accessToken)?.exp : undefined;
    const expiry = $('token-expiry');
    if (typeof exp !== 'number') expiry.textContent = '–';
    else {
      const left = exp * 1000 - Date.now();
      expiry.textContent = left > 0 ? `${(left / 1000).toFixed(1)} s` : 'expired (the next request refreshes it)';
    }
  }

  session.on('refreshed', (event) => {
    $('refresh-count').textContent = String(event.refreshCount);
    log(`refreshed the tokens (trigger: ${event.trigger}, refresh #${event.refreshCount} of this tab)`);
  });
  session.on('tokensChanged', (event) => {
    if (event.tokens) $('session-ended').hidden = true; // logged in again (here or in another tab)
    if (event.source === 'other-tab' && event.tokens) {
      adopted += 1;
      $('adopted-count').textContent = String(adopted);
      log('took over new tokens from another tab');
    }
    void renderStatus();
    // The list is loaded after this tab's own login (and on "Reload the list"); a logout anywhere clears it. Loading it
    // on every token change would add requests to the refresh races this page demonstrates.
    if (!event.tokens) void loadSessions();
  });
  session.on('refreshFailed', (event) => log(`refresh failed (${event.error.kind}); tokens kept, will retry`));
  session.on('ended', (event) => {
    log(`session ended (${event.reason})`);
    showEnded(event.reason);
  });
  session.on('loggedOut', (event) => log(event.origin === 'this-tab' ? 'logged out' : 'logged out in another tab'));

  // ---- your sessions -------------------------------------------------------------------------------------------
  /** "Chrome on Linux"-style name of a User-Agent; the raw header is in the row's title. */
  function deviceName(userAgent) {
    if (!userAgent) return 'unknown device';
    const browser = /Edg\//.test(userAgent) ? 'Edge' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
      : /Firefox\//.test(userAgent) ? 'Firefox' : /Safari\//.test(userAgent) ? 'Safari' : userAgent.split(/[ /]/)[0];
    const system = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android'
      : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : '';
    return system ? `${browser} on ${system}` : browser;
  }

  function cell(row, text) {
    const td = document.createElement('td');
    td.textContent = text;
    row.append(td);
    return td;
  }

  async function loadSessions() {
    const body = $('sessions-body');
    const note = $('sessions-note');
    if (!(await session.getTokens())) {
      body.replaceChildren();
      note.textContent = 'Log in to see your sessions.';
      note.hidden = false;
      return;
    }
    let list;
    try {
      const response = await session.fetch('/user/sessions');
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      list = await response.json();
    } catch (error) {
      note.textContent = `Could not load the sessions: ${describeError(error)}`;
      note.hidden = false;
      return;
    }
    note.hidden = true;
    body.replaceChildren(
      ...list.map((entry) => {
        const row = document.createElement('tr');
        row.dataset.sessionId = entry.id;
        if (entry.current) row.className = 'current';
        cell(row, deviceName(entry.userAgent) + (entry.current ? ' (this device)' : '')).title = entry.userAgent ?? '';
        cell(row, entry.ip ?? '–');
        cell(row, new Date(entry.lastUsedAt).toLocaleString());
        cell(row, new Date(entry.createdAt).toLocaleString());
        const actions = cell(row, '');
        if (!entry.current) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = 'Revoke';
          button.className = 'revoke';
          button.addEventListener('click', () => revoke(entry.id));
          actions.append(button);
        }
        return row;
      }),
    );
    $('sessions-table').dataset.count = String(list.length);
  }

  async function revoke(sessionId) {
    const response = await session.fetch(`/user/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
    log(response.ok ? 'revoked a session of another device' : `revoking failed (HTTP ${response.status})`);
    await loadSessions();
  }

  $('reload-sessions').addEventListener('click', () => void loadSessions());
  $('sign-out-others').addEventListener('click', async () => {
    const response = await session.fetch('/user/sessions');
    if (!response.ok) return;
    const others = (await response.json()).filter((entry) => !entry.current);
    await Promise.all(others.map((entry) => session.fetch(`/user/sessions/${encodeURIComponent(entry.id)}`, { method: 'DELETE' })));
    log(`signed out ${others.length} other device(s)`);
    await loadSessions();
  });

  /** Fills one bar with the share of the token's lifetime that is left (`iat` to `exp`), and the seconds left. */
  function renderLifetime(token, bar, label, whenMissing) {
    const claims = token ? decodeJwtPayload(token) : undefined;
    if (!claims || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
      bar.value = 0;
      label.textContent = whenMissing;
      return;
    }
    const left = Math.max(0, claims.exp * 1000 - Date.now());
    bar.value = Math.min(1, left / Math.max(1, (claims.exp - claims.iat) * 1000));
    label.textContent = left > 0 ? `${formatSeconds(left / 1000)} left` : 'expired';
  }

  function formatSeconds(seconds) {
    if (seconds < 120) return `${seconds.toFixed(1)} s`;
    if (seconds < 7200) return `${Math.floor(seconds / 60)} min ${Math.floor(seconds % 60)} s`;
    if (seconds < 172800) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
    return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`;
  }

  async function renderLifetimes() {
    const tokens = await session.getTokens();
    renderLifetime(tokens?.accessToken, $('access-bar'), $('access-left'), '–');
    // In cookie transport the refresh token is in an HttpOnly cookie: page scripts cannot (and must not) read it.
    renderLifetime(tokens?.refreshToken, $('refresh-bar'), $('refresh-left'), tokens ? 'in an HttpOnly cookie' : '–');
  }

  // ---- requests ------------------------------------------------------------------------------------------------
  function describeError(error) {
    if (error instanceof SessionEndedError) return `session ended (${error.reason})`;
    if (error instanceof RefreshFailedError) return `refresh failed (${error.kind}), try again`;
    return error && error.message ? error.message : String(error);
  }

  /** One GET through session.fetch: adds the access token, refreshes once on 401 and replays. */
  async function call(path) {
    try {
      const response = await session.fetch(path);
      const text = await response.text();
      if (response.ok) return { ok: true, text };
      let message = text;
      try {
        message = JSON.parse(text).message ?? text;
      } catch {
        // not JSON
      }
      return { ok: false, text: `HTTP ${response.status}: ${message}` };
    } catch (error) {
      return { ok: false, text: describeError(error) };
    }
  }

  $('call-aaa-bbb').addEventListener('click', async () => {
    $('aaa-result').textContent = '…';
    $('bbb-result').textContent = '…';
    const [aaa, bbb] = await Promise.all([call('/aaa'), call('/bbb')]);
    $('aaa-result').textContent = aaa.text;
    $('bbb-result').textContent = bbb.text;
  });

  $('fire-concurrent').addEventListener('click', async () => {
    const result = $('concurrent-result');
    const total = Math.min(100, Math.max(1, Number.parseInt($('concurrent-count').value, 10) || 10));
    const refreshesBefore = session.refreshCount;
    result.dataset.state = 'running';
    result.className = '';
    result.textContent = `sending ${total} requests to /bbb at once…`;
    const outcomes = await Promise.all(Array.from({ length: total }, () => call('/bbb')));
    const succeeded = outcomes.filter((outcome) => outcome.ok && outcome.text === 'bbb').length;
    const failures = [...new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.text))];
    const refreshes = session.refreshCount - refreshesBefore;
    result.textContent =
      `${succeeded} of ${total} succeeded; refreshes by this tab meanwhile: ${refreshes}` +
      (failures.length ? `; failures: ${failures.join(', ')}` : '');
    result.className = succeeded === total ? 'ok' : 'failed';
    result.dataset.succeeded = String(succeeded);
    result.dataset.total = String(total);
    result.dataset.state = 'done';
    log(`${total} concurrent requests: ${succeeded} succeeded`);
  });

  // ---- login / logout ------------------------------------------------------------------------------------------
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('login-error');
    error.hidden = true;
    try {
      await session.login($('username').value, $('password').value);
      $('session-ended').hidden = true;
      log('logged in');
      void loadSessions();
    } catch (failure) {
      error.textContent =
        failure instanceof LoginFailedError && failure.status === 401
          ? 'Wrong username or password.'
          : `Login failed: ${describeError(failure)}`;
      error.hidden = false;
    }
  });

  $('logout-button').addEventListener('click', async () => {
    await session.logout();
    $('session-ended').hidden = true;
  });

  // ---- start ---------------------------------------------------------------------------------------------------
  $('proactive-mode').textContent = proactive ? 'on' : 'off (refresh only after a 401, like the tutorial)';
  $('proactive-toggle').href = proactive ? '/?proactive=off' : '/';
  session.ready.then(() => Promise.all([renderStatus(), loadSessions()]));
  setInterval(() => {
    void renderExpiry();
    void renderLifetimes();
  }, 250);
})();
