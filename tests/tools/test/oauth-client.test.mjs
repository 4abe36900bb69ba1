// The bank is not needed to prove the client's plumbing: a stub authorization server on loopback, with
// its own throwaway CA, plays the contract described at the top of oauth-client.mjs closely enough to
// exercise discovery, PKCE, state, tls_client_auth over mutual TLS and refresh rotation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, fetch } from 'undici';
import { parseArgs, UsageError } from '../oauth-client.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'oauth-client.mjs');
const execFileAsync = promisify(execFile);

async function run(...args) {
  try {
    const { stdout } = await execFileAsync(process.execPath, [script, ...args]);
    return { code: 0, json: JSON.parse(stdout) };
  } catch (error) {
    return { code: error.code, json: JSON.parse(error.stdout), stderr: error.stderr };
  }
}

test('arguments: each command takes exactly its own options', () => {
  const authorize = ['authorize', '--issuer', 'https://localhost:41234', '--ca', 'ca.pem', '--client-id', 'PSDSE-FINA-44059',
    '--redirect-uri', 'https://tpp.example/cb', '--scope', 'AIS:abc', '--state-file', 's.json'];
  assert.deepEqual(parseArgs(authorize), {
    command: 'authorize',
    options: {
      issuer: 'https://localhost:41234', ca: 'ca.pem', 'client-id': 'PSDSE-FINA-44059',
      'redirect-uri': 'https://tpp.example/cb', scope: 'AIS:abc', 'state-file': 's.json',
    },
  });
  const exchange = ['exchange', '--state-file', 's.json', '--callback-url', 'https://tpp.example/cb?code=1&state=2',
    '--cert', 'c.pem', '--key', 'k.pem', '--ca', 'ca.pem'];
  assert.equal(parseArgs(exchange).options['callback-url'], 'https://tpp.example/cb?code=1&state=2');

  for (const bad of [
    [],
    ['token'],
    authorize.slice(0, -2),                                  // no --state-file
    [...authorize, '--cert', 'c.pem'],                       // an exchange option
    [...exchange.slice(0, -1)],                              // --ca without its value
    ['exchange', '--state-file', '--callback-url', 'x'],     // a flag where a value belongs
    authorize.map((a) => (a === 'https://localhost:41234' ? 'localhost:41234' : a)),
    authorize.map((a) => (a === 'https://localhost:41234' ? 'http://localhost:41234' : a)),
    exchange.map((a) => (a.startsWith('https://tpp.example/cb?') ? 'cb?code=1' : a)),
  ]) {
    assert.throws(() => parseArgs(bad), UsageError, JSON.stringify(bad));
  }
});

test('bad arguments print an invalid_usage error and exit 2', async () => {
  const result = await run('authorize', '--issuer', 'https://localhost:1');
  assert.equal(result.code, 2);
  assert.equal(result.json.error, 'invalid_usage');
  assert.match(result.json.error_description, /--ca/);

  const missingFile = await run('exchange', '--state-file', '/nonexistent/state.json', '--callback-url', 'https://x/cb?code=1',
    '--cert', 'c', '--key', 'k', '--ca', 'ca');
  assert.equal(missingFile.code, 2);
  assert.match(missingFile.json.error_description, /state file/);
});

function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A CA, a server certificate for localhost, the TPP's client certificate, and a stranger's certificate
// from another CA that the token host must refuse.
function makePki(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-subj', `/CN=${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  }
  openssl('req', '-x509', ...ec, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-keyout', 'server.key', '-out', 'server.pem',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'basicConstraints=CA:FALSE');
  for (const [name, ca] of [['tpp', 'ca'], ['stranger', 'other-ca']]) {
    openssl('req', '-x509', ...ec, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-keyout', `${name}.key`, '-out', `${name}.pem`,
      '-subj', `/CN=${name}/O=Test TPP`, '-addext', 'extendedKeyUsage=clientAuth', '-addext', 'basicConstraints=CA:FALSE');
  }
  return (name) => join(dir, name);
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, 'localhost', () => resolve(server.address().port)));
}

async function readForm(request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  return new URLSearchParams(body);
}

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function startStubServer(file, clientId) {
  const tls = { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) };
  const codes = new Map();
  const refreshTokens = new Map();
  const seen = { tokenRequests: [] };
  let issuer, tokenEndpoint;

  const psu = createServer(tls, (request, response) => {
    const url = new URL(request.url, issuer);
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/oauth2/authorize`,
        token_endpoint: tokenEndpoint,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'urn:openid:params:grant-type:ciba'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['tls_client_auth'],
        tls_client_certificate_bound_access_tokens: true,
      });
    }
    if (url.pathname === '/oauth2/authorize') {
      // The PSU's consent is taken for granted: this stub only hands back a code bound to the request.
      seen.authorize = Object.fromEntries(url.searchParams);
      const code = randomUUID();
      codes.set(code, seen.authorize);
      const back = new URL(seen.authorize.redirect_uri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', seen.authorize.state);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    response.writeHead(404).end();
  });

  const tpp = createServer({ ...tls, ca: readFileSync(file('ca.pem')), requestCert: true, rejectUnauthorized: true }, async (request, response) => {
    const form = await readForm(request);
    const peer = request.socket.getPeerCertificate();
    seen.tokenRequests.push({ form: Object.fromEntries(form), peer: peer.subject?.CN });
    if (request.method !== 'POST' || new URL(request.url, tokenEndpoint).pathname !== '/oauth2/token') return response.writeHead(404).end();
    if (form.get('client_id') !== clientId) return json(response, 401, { error: 'invalid_client', error_description: 'unknown client' });

    const issue = (scope) => {
      const refresh = randomUUID();
      refreshTokens.set(refresh, scope);
      return { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, refresh_token: refresh, scope };
    };
    if (form.get('grant_type') === 'authorization_code') {
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (!grant || grant.redirect_uri !== form.get('redirect_uri') || grant.code_challenge !== challenge) {
        return json(response, 400, { error: 'invalid_grant' });
      }
      return json(response, 200, issue(grant.scope));
    }
    if (form.get('grant_type') === 'refresh_token' && refreshTokens.has(form.get('refresh_token'))) {
      const scope = refreshTokens.get(form.get('refresh_token'));
      refreshTokens.delete(form.get('refresh_token'));
      return json(response, 200, issue(scope));
    }
    return json(response, 400, { error: 'invalid_grant' });
  });

  issuer = `https://localhost:${await listen(psu)}`;
  tokenEndpoint = `https://localhost:${await listen(tpp)}/oauth2/token`;
  return {
    issuer,
    seen,
    close: () => Promise.all([psu, tpp].map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); }))),
  };
}

test('authorization code with PKCE, then refresh, over mutual TLS against a stub server', { skip: !hasOpenssl() && 'openssl is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-client-'));
  const file = makePki(dir);
  const clientId = 'PSDSE-FINA-44059';
  const stub = await startStubServer(file, clientId);
  t.after(() => stub.close());
  const redirectUri = 'https://tpp.example/callback';
  const stateFile = join(dir, 'state.json');

  const authorize = (ca = file('ca.pem')) => run('authorize', '--issuer', stub.issuer, '--ca', ca, '--client-id', clientId,
    '--redirect-uri', redirectUri, '--scope', 'AIS:consent-1', '--state-file', stateFile);
  // What the PSU's browser does: follows the authorization URL and lands on the redirect URI.
  const browse = async (authorizationUrl) => {
    const dispatcher = new Agent({ connect: { ca: readFileSync(file('ca.pem')) } });
    try {
      const response = await fetch(authorizationUrl, { redirect: 'manual', dispatcher });
      assert.equal(response.status, 302);
      return response.headers.get('location');
    } finally {
      await dispatcher.close();
    }
  };
  const exchange = (callbackUrl, client = 'tpp') => run('exchange', '--state-file', stateFile, '--callback-url', callbackUrl,
    '--cert', file(`${client}.pem`), '--key', file(`${client}.key`), '--ca', file('ca.pem'));

  await t.test('the flow completes and the refresh token rotates', async () => {
    const started = await authorize();
    assert.equal(started.code, 0, JSON.stringify(started));
    const url = new URL(started.json.authorizationUrl);
    assert.equal(url.origin + url.pathname, `${stub.issuer}/oauth2/authorize`);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('client_id'), clientId);
    assert.equal(url.searchParams.get('scope'), 'AIS:consent-1');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('state'));
    assert.equal(statSync(stateFile).mode & 0o077, 0);

    const finished = await exchange(await browse(url.href));
    assert.equal(finished.code, 0, JSON.stringify(finished));
    const { accessToken, refreshToken, expiresIn, scope, refreshed } = finished.json;
    assert.ok(accessToken && refreshToken);
    assert.equal(expiresIn, 300);
    assert.equal(scope, 'AIS:consent-1');
    assert.ok(refreshed.accessToken && refreshed.refreshToken);
    assert.notEqual(refreshed.accessToken, accessToken);
    assert.notEqual(refreshed.refreshToken, refreshToken);

    const [codeRequest, refreshRequest] = stub.seen.tokenRequests.slice(-2);
    assert.equal(codeRequest.peer, 'tpp');
    assert.equal(codeRequest.form.redirect_uri, redirectUri);
    assert.equal(codeRequest.form.client_secret, undefined);
    assert.equal(refreshRequest.form.grant_type, 'refresh_token');
    assert.equal(refreshRequest.form.refresh_token, refreshToken);
  });

  await t.test('a code redeemed twice comes back as the token endpoint\'s own error', async () => {
    const started = await authorize();
    const callback = await browse(started.json.authorizationUrl);
    assert.equal((await exchange(callback)).code, 0);
    const replay = await exchange(callback);
    assert.equal(replay.code, 1);
    assert.equal(replay.json.error, 'invalid_grant');
    assert.equal(replay.json.status, 400);
  });

  await t.test('a callback carrying another state is refused before any token request', async () => {
    const started = await authorize();
    const callback = new URL(await browse(started.json.authorizationUrl));
    callback.searchParams.set('state', 'forged');
    const before = stub.seen.tokenRequests.length;
    const result = await exchange(callback.href);
    assert.equal(result.code, 1);
    assert.match(result.json.error_description, /state/);
    assert.equal(stub.seen.tokenRequests.length, before);
  });

  await t.test('an error in the callback is reported as the server sent it', async () => {
    await authorize();
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    const result = await exchange(`${redirectUri}?error=access_denied&error_description=PSU+cancelled&state=${saved.state}`);
    assert.equal(result.code, 1);
    assert.deepEqual(result.json, { error: 'access_denied', error_description: 'PSU cancelled' });
  });

  await t.test('a client certificate from another CA does not reach the token endpoint', async () => {
    const started = await authorize();
    const result = await exchange(await browse(started.json.authorizationUrl), 'stranger');
    assert.equal(result.code, 1);
    assert.ok(result.json.error && result.json.error_description, JSON.stringify(result.json));
  });

  await t.test('discovery with an untrusted CA fails with the TLS reason', async () => {
    const result = await authorize(file('other-ca.pem'));
    assert.equal(result.code, 1);
    assert.match(result.json.error_description, /certificate/i);
  });
});
