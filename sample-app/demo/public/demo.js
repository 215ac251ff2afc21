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
  });
  session.on('refreshFailed', (event) => log(`refresh failed (${event.error.kind}); tokens kept, will retry`));
  session.on('ended', (event) => {
    log(`session ended (${event.reason})`);
    showEnded(event.reason);
  });
  session.on('loggedOut', (event) => log(event.origin === 'this-tab' ? 'logged out' : 'logged out in another tab'));

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
  session.ready.then(renderStatus);
  setInterval(renderExpiry, 250);
})();
