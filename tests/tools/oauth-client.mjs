#!/usr/bin/env node
// A TPP's side of the sandbox bank's OAuth2 authorisation code flow, driven by openid-client, a widely used
// third-party client: if it gets through, the bank speaks OAuth the way real TPP software expects, not
// merely the way our own tests happen to read it.
//
// The contract the bank implements (this file only consumes it):
//   - issuer: the bank's PSU base URL without a trailing slash, e.g. https://localhost:41234. RFC 8414
//     metadata is served at {issuer}/.well-known/oauth-authorization-server with
//       authorization_endpoint  {issuer}/oauth2/authorize, on the browser host (no client certificate)
//       token_endpoint          https://localhost:<tpp port>/oauth2/token, on the TPP host, which demands
//                               a TLS client certificate: the TPP's QWAC
//       response_types_supported ["code"], code_challenge_methods_supported ["S256"],
//       grant_types_supported ["authorization_code", "refresh_token", "urn:openid:params:grant-type:ciba"],
//       token_endpoint_auth_methods_supported ["tls_client_auth"],
//       tls_client_certificate_bound_access_tokens true
//   - both hosts present server certificates issued by the sandbox CA (--ca), trusted for every request,
//     discovery included.
//   - client_id is the TPP's organisation identifier from its certificate (e.g. PSDSE-FINA-44059); the
//     client authenticates with tls_client_auth (RFC 8705) and has no secret.
//   - scope is AIS:<consentId>; PKCE S256 and state are mandatory.
//   - token responses are {access_token, token_type: "Bearer", expires_in, refresh_token, scope}, and a
//     refresh rotates the refresh token.
//
// Commands (each prints one JSON object on stdout; failures print {error, error_description} and exit 1,
// bad arguments exit 2):
//   authorize --issuer <url> --ca <pem> --client-id <id> --redirect-uri <uri> --scope <scope> --state-file <path>
//       discovery; prints {authorizationUrl} and keeps what the exchange needs in the state file.
//   exchange --state-file <path> --callback-url <url> --cert <pem> --key <pem> --ca <pem>
//       redeems the code from the URL the browser was redirected to, then refreshes once; prints
//       {accessToken, refreshToken, expiresIn, scope, refreshed: {accessToken, refreshToken, expiresIn}}.

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';

export class UsageError extends Error {}

const COMMANDS = {
  authorize: ['issuer', 'ca', 'client-id', 'redirect-uri', 'scope', 'state-file'],
  exchange: ['state-file', 'callback-url', 'cert', 'key', 'ca'],
};

export function parseArgs(argv) {
  const [command, ...rest] = argv;
  const required = COMMANDS[command];
  if (!required) throw new UsageError(`unknown command ${command ?? '(none)'}; expected ${Object.keys(COMMANDS).join(' or ')}`);

  const options = {};
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i].startsWith('--') ? rest[i].slice(2) : undefined;
    if (!name || !required.includes(name)) throw new UsageError(`unknown argument ${rest[i]} for ${command}`);
    const value = rest[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    options[name] = value;
  }
  const missing = required.filter((name) => options[name] === undefined);
  if (missing.length > 0) throw new UsageError(`${command} needs ${missing.map((m) => `--${m}`).join(' ')}`);

  for (const name of ['issuer', 'redirect-uri', 'callback-url']) {
    if (options[name] !== undefined && !URL.canParse(options[name])) throw new UsageError(`--${name} is not an absolute URL`);
  }
  if (options.issuer !== undefined && new URL(options.issuer).protocol !== 'https:') throw new UsageError('--issuer must be an https URL');
  return { command, options };
}

function readPem(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${error.message}`);
  }
}

// openid-client calls fetch itself. It gets undici's own fetch, paired with dispatchers from the same
// package: handing this package's dispatchers to the fetch built into Node is not supported across versions.
// The client certificate goes to the token endpoint's host only: the PSU host serves browsers.
function fetchWith({ ca, cert, key, tokenEndpoint }) {
  const plain = new Agent({ connect: { ca } });
  const mutual = cert ? new Agent({ connect: { ca, cert, key } }) : plain;
  const tokenOrigin = tokenEndpoint ? new URL(tokenEndpoint).origin : undefined;
  const fetch = (url, options) =>
    undiciFetch(url, { ...options, dispatcher: new URL(url).origin === tokenOrigin ? mutual : plain });
  // Kept-alive connections would hold the process open for seconds after the answer is printed.
  const close = () => Promise.all([...new Set([plain, mutual])].map((dispatcher) => dispatcher.close()));
  return { fetch, close };
}

async function authorize(options) {
  const ca = readPem(options.ca, 'CA certificate');
  const http = fetchWith({ ca });
  try {
    return await authorizeWith(options, http.fetch);
  } finally {
    await http.close();
  }
}

async function authorizeWith(options, fetch) {
  // Without a path the issuer's URL normalises to a trailing slash on both sides of openid-client's
  // issuer comparison, so "https://host:port" matches metadata that says "https://host:port".
  const config = await client.discovery(
    new URL(options.issuer),
    options['client-id'],
    undefined,
    client.TlsClientAuth(),
    { algorithm: 'oauth2', [client.customFetch]: fetch },
  );

  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: options['redirect-uri'],
    scope: options.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  });

  // The verifier is a secret of this flow: readable by the test user only.
  writeFileSync(
    options['state-file'],
    JSON.stringify({
      serverMetadata: config.serverMetadata(),
      clientId: options['client-id'],
      redirectUri: options['redirect-uri'],
      scope: options.scope,
      state,
      codeVerifier,
    }, null, 2),
    { mode: 0o600 },
  );
  return { authorizationUrl: authorizationUrl.href };
}

async function exchange(options) {
  let saved;
  try {
    saved = JSON.parse(readFileSync(options['state-file'], 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read state file ${options['state-file']}: ${error.message}`);
  }
  const ca = readPem(options.ca, 'CA certificate');
  const cert = readPem(options.cert, 'client certificate');
  const key = readPem(options.key, 'client key');

  // Rebuilt from the metadata found at authorize time rather than discovered again: the exchange is the
  // same client instance continuing its flow, as a TPP server would.
  const config = new client.Configuration(saved.serverMetadata, saved.clientId, undefined, client.TlsClientAuth());
  const http = fetchWith({ ca, cert, key, tokenEndpoint: saved.serverMetadata.token_endpoint });
  config[client.customFetch] = http.fetch;
  try {
    return await redeem(config, saved, options['callback-url']);
  } finally {
    await http.close();
  }
}

async function redeem(config, saved, callbackUrl) {
  // Checks state and any error in the callback; the redirect_uri sent is the callback URL without its query.
  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: saved.codeVerifier,
    expectedState: saved.state,
  });
  if (!tokens.refresh_token) {
    throw Object.assign(new Error('the token response has no refresh_token'), { error: 'missing_refresh_token' });
  }
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);

  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresIn: tokens.expires_in,
    scope: tokens.scope,
    refreshed: {
      accessToken: refreshed.access_token,
      refreshToken: refreshed.refresh_token,
      expiresIn: refreshed.expires_in,
    },
  };
}

// TLS and network failures arrive as "fetch failed" with the reason nested in causes; the reason is what
// a failing test needs to show (unknown CA, certificate required, connection refused).
function describe(error) {
  const parts = [];
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) {
    const code = e !== error && typeof e.code === 'string' && e.code !== error.code ? ` (${e.code})` : '';
    if (!parts.includes(e.message + code)) parts.push(e.message + code);
  }
  return parts.join(': ');
}

export function toErrorObject(error) {
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const challenge = error.cause?.[0]?.parameters ?? {};
    return {
      error: challenge.error ?? 'invalid_client',
      error_description: challenge.error_description ?? error.message,
      status: error.status,
    };
  }
  if (typeof error?.error === 'string') {
    const result = { error: error.error, error_description: error.error_description ?? error.message };
    if (typeof error.status === 'number') result.status = error.status;
    return result;
  }
  return { error: error?.code ?? 'client_error', error_description: describe(error) };
}

export async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: 'invalid_usage', error_description: error.message }) + '\n');
    return 2;
  }
  try {
    const result = parsed.command === 'authorize' ? await authorize(parsed.options) : await exchange(parsed.options);
    process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stdout.write(JSON.stringify({ error: 'invalid_usage', error_description: error.message }) + '\n');
      return 2;
    }
    process.stdout.write(JSON.stringify(toErrorObject(error)) + '\n');
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
