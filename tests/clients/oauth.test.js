// google-auth-library's OAuth2Client, unmodified, through gcpsim's Google sign-in stub:
// the code flow with automatic consent, PKCE, ID-token verification against gcpsim's
// certs, userinfo, tokeninfo, refresh and revocation.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { OAuth2Client, CodeChallengeMethod } = require('google-auth-library');
const { startGcpsim } = require('./lib/gcpsim');

const CLIENT_ID = '1234-app.apps.googleusercontent.com';
const REDIRECT = 'http://127.0.0.1:3000/oauth/callback';
let sim;

before(async () => { sim = await startGcpsim(); });
after(async () => { await sim.stop(); });

function client() {
  return new OAuth2Client({
    clientId: CLIENT_ID,
    clientSecret: 'app-secret',
    redirectUri: REDIRECT,
    endpoints: {
      oauth2AuthBaseUrl: `${sim.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${sim.url}/token`,
      oauth2RevokeUrl: `${sim.url}/revoke`,
      tokenInfoUrl: `${sim.url}/tokeninfo`,
      oauth2FederatedSignonPemCertsUrl: `${sim.url}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${sim.url}/oauth2/v3/certs`,
    },
  });
}

// What the browser does: follow the authorization URL, read the redirect.
async function consent(url) {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  return location.searchParams;
}

test('the code flow signs in the default test user with a verifiable ID token', async () => {
  const c = client();
  const url = c.generateAuthUrl({ access_type: 'offline', scope: ['openid', 'email', 'profile'], state: 'st-1', nonce: 'n-1' });
  const params = await consent(url);
  assert.equal(params.get('state'), 'st-1');
  const { tokens } = await c.getToken(params.get('code'));
  assert.match(tokens.access_token, /^ya29\./);
  assert.match(tokens.refresh_token, /^1\/\//);
  assert.equal(tokens.token_type, 'Bearer');
  assert.ok(tokens.expiry_date > Date.now());
  const ticket = await c.verifyIdToken({ idToken: tokens.id_token, audience: CLIENT_ID });
  const payload = ticket.getPayload();
  assert.equal(payload.email, 'user@example.com');
  assert.equal(payload.email_verified, true);
  assert.equal(payload.nonce, 'n-1');
  assert.equal(payload.iss, 'https://accounts.google.com');
});

test('userinfo and tokeninfo describe the signed-in user', async () => {
  const c = client();
  const params = await consent(c.generateAuthUrl({ scope: ['openid', 'email', 'profile'] }));
  const { tokens } = await c.getToken(params.get('code'));
  c.setCredentials(tokens);
  const info = await c.request({ url: `${sim.url}/oauth2/v3/userinfo` });
  assert.equal(info.data.email, 'user@example.com');
  assert.equal(info.data.email_verified, true);
  assert.equal(info.data.name, 'User');
  const tokenInfo = await c.getTokenInfo(tokens.access_token);
  assert.equal(tokenInfo.email, 'user@example.com');
  assert.equal(tokenInfo.aud, CLIENT_ID);
  assert.ok(tokenInfo.scopes.includes('https://www.googleapis.com/auth/userinfo.email'));
  assert.ok(tokenInfo.expiry_date > Date.now());
});

test('login_hint and the consent control pick the user; a denial comes back as access_denied', async () => {
  const c = client();
  const hinted = await consent(c.generateAuthUrl({ scope: ['openid', 'email'], login_hint: 'carol@example.com' }));
  const { tokens } = await c.getToken(hinted.get('code'));
  const ticket = await c.verifyIdToken({ idToken: tokens.id_token, audience: CLIENT_ID });
  assert.equal(ticket.getPayload().email, 'carol@example.com');

  assert.equal((await sim.control('POST', 'oauth/consent', { deny: true })).status, 200);
  const denied = await consent(c.generateAuthUrl({ scope: ['openid'], state: 'st-2' }));
  assert.equal(denied.get('error'), 'access_denied');
  assert.equal(denied.get('state'), 'st-2');
  assert.equal(denied.get('code'), null);
  await sim.control('POST', 'oauth/consent', { deny: false });
});

test('PKCE with S256 completes; a wrong verifier is invalid_grant', async () => {
  const c = client();
  const { codeVerifier, codeChallenge } = await c.generateCodeVerifierAsync();
  const url = c.generateAuthUrl({ scope: ['openid', 'email'], code_challenge_method: CodeChallengeMethod.S256, code_challenge: codeChallenge });
  const params = await consent(url);
  await assert.rejects(c.getToken({ code: params.get('code'), codeVerifier: 'x'.repeat(43) }), (err) => {
    assert.equal(err.response.status, 400);
    assert.equal(err.response.data.error, 'invalid_grant');
    return true;
  });
  const again = await consent(url);
  const { tokens } = await c.getToken({ code: again.get('code'), codeVerifier });
  assert.ok(tokens.access_token);
});

test('a code works once', async () => {
  const c = client();
  const params = await consent(c.generateAuthUrl({ scope: ['email'] }));
  await c.getToken(params.get('code'));
  await assert.rejects(c.getToken(params.get('code')), (err) => {
    assert.deepEqual(err.response.data, { error: 'invalid_grant', error_description: 'Bad Request' });
    return true;
  });
});

test('refresh tokens mint new access tokens; revocation ends the grant', async () => {
  const c = client();
  const params = await consent(c.generateAuthUrl({ access_type: 'offline', scope: ['openid', 'email'] }));
  const { tokens } = await c.getToken(params.get('code'));
  c.setCredentials({ refresh_token: tokens.refresh_token });
  const { token } = await c.getAccessToken();
  assert.match(token, /^ya29\./);
  assert.notEqual(token, tokens.access_token);
  await c.revokeToken(tokens.refresh_token);
  const res = await fetch(`${sim.url}/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401);
  const refresh = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT_ID });
  const again = await fetch(`${sim.url}/token`, { method: 'POST', body: refresh });
  assert.equal(again.status, 400);
  assert.equal((await again.json()).error_description, 'Token has been expired or revoked.');
});

test('a registered client has its secret and redirect URIs checked', async () => {
  await sim.control('POST', 'oauth/clients', { client_id: 'strict-client', client_secret: 'right', redirect_uris: [REDIRECT] });
  const wrongRedirect = await fetch(`${sim.url}/o/oauth2/v2/auth?client_id=strict-client&redirect_uri=http://evil.example/&response_type=code&scope=email`, { redirect: 'manual' });
  assert.equal(wrongRedirect.status, 400);
  assert.match(await wrongRedirect.text(), /redirect_uri_mismatch/);
  const params = await consent(`${sim.url}/o/oauth2/v2/auth?client_id=strict-client&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=email`);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), client_id: 'strict-client', client_secret: 'wrong', redirect_uri: REDIRECT });
  const res = await fetch(`${sim.url}/token`, { method: 'POST', body: form });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error, 'invalid_client');
});

test('missing parameters are refused on the authorization page', async () => {
  const res = await fetch(`${sim.url}/o/oauth2/v2/auth?redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=email`, { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Missing required parameter: client_id/);
});

test('prompt=consent shows the consent screen; Allow signs in as the chosen account, Cancel is access_denied', async () => {
  await fetch(`${sim.url}/_gcpsim/oauth/users`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'carol@example.com' }) });
  const c = client();
  const url = c.generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: ['openid', 'email'], state: 'st-9' });
  const page = await fetch(url, { redirect: 'manual' });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.match(html, /<b>1234-app\.apps\.googleusercontent\.com<\/b> wants to access your Google Account/);
  assert.match(html, /<option value="carol@example.com">/);
  assert.match(html, /See your primary Google Account email address/);
  const answer = (body) => fetch(url, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const cancelled = new URL((await answer('action=deny')).headers.get('location'));
  assert.equal(cancelled.searchParams.get('error'), 'access_denied');
  assert.equal(cancelled.searchParams.get('state'), 'st-9');
  const allowed = await answer('user=carol%40example.com&action=allow');
  assert.equal(allowed.status, 302);
  const params = new URL(allowed.headers.get('location')).searchParams;
  const { tokens } = await c.getToken(params.get('code'));
  assert.match(tokens.refresh_token, /^1\/\//);
  const ticket = await c.verifyIdToken({ idToken: tokens.id_token, audience: CLIENT_ID });
  assert.equal(ticket.getPayload().email, 'carol@example.com');
  assert.equal((await answer('action=maybe')).status, 400);
});
