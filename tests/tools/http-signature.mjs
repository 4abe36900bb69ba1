#!/usr/bin/env node
// Signs and verifies Berlin Group and STET request signatures with http-signature, Joyent's (now
// TritonDataCenter's) implementation of draft-cavage-http-signatures: if a third-party implementation accepts
// what the platform signs, and the sandbox bank accepts what it signs, both sides read the draft the way others do.
//
// The Berlin Group shape (NextGenPSD2 implementation guidelines, "Signature"):
//   Digest                     SHA-256=<base64 of the body's hash> (RFC 3230), also for an empty body
//   Signature                  keyId="SN=<serial hex>,CA=<issuer DN>",algorithm="rsa-sha256",
//                              headers="<signed names>",signature="<base64>", sent as its own header
//   TPP-Signature-Certificate  the QSealC, base64 DER (added by the caller: the tool works with keys only)
//   signed headers             digest and x-request-id always; psu-id, psu-corporate-id, tpp-redirect-uri
//                              and date whenever the request carries them
//
// The STET shape (--profile stet; ADR 0015):
//   Digest                     as above
//   Signature                  keyId="<URL of the QSealC in PEM, ending in _<SHA-256 fingerprint>>", otherwise as above
//   signed headers             (request-target), digest and x-request-id always; psu-ip-address and content-type
//                              whenever the request carries them
//
// The library checks a signature over the headers it lists and nothing else: it does not look at the body.
// verify therefore also checks the Digest against the body itself, and demands that digest and x-request-id
// (and date, when present; for STET (request-target), and psu-ip-address and content-type when present) are
// among the signed headers, since a Digest nobody signed proves nothing.
//
// Request file (JSON): {method, path, headers: {name: value}, body}. path is the request target with its
// query; header names are matched case-insensitively and values are trimmed, as Node's HTTP parser would
// hand them to a server; body is the exact body bytes in base64 (absent or "" for none).
//
// Commands (each prints one JSON object on stdout; bad arguments print {error: "invalid_usage", ...} and
// exit 2):
//   verify --request <file.json> --cert <qseal.pem> [--profile berlin-group|stet]
//       {valid: true, keyId, algorithm, signedHeaders} and exit 0, or {valid: false, reason, ...} and exit 1.
//   sign --request <file.json> --key <key.pem> --key-id <id> [--headers "<names separated by spaces>"]
//        [--profile berlin-group|stet]
//       {headers: {Date?, Digest, Signature}}: the headers to add (Date only when the request has none) and
//       exit 0; {error, error_description} and exit 1 when the library refuses to sign.

import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import httpSignature from 'http-signature';

export class UsageError extends Error {}

const COMMANDS = {
  verify: { required: ['request', 'cert'], optional: ['profile'] },
  sign: { required: ['request', 'key', 'key-id'], optional: ['headers', 'profile'] },
};

// Signed when present, in the order of the Berlin Group's example ("Digest X-Request-ID PSU-ID TPP-Redirect-URI
// Date"), which is not the platform's order: the verifiers must take the order from the headers parameter.
const BERLIN_GROUP_HEADERS = ['digest', 'x-request-id', 'psu-id', 'psu-corporate-id', 'tpp-redirect-uri', 'date'];
const STET_HEADERS = ['(request-target)', 'digest', 'x-request-id', 'psu-ip-address', 'content-type'];

// Per profile: what sign covers by default (of the headers the request has; Date is added by the library
// before it signs), and what verify demands be signed.
const PROFILES = {
  'berlin-group': {
    signs: (has) => BERLIN_GROUP_HEADERS.filter((name) => name === 'date' || has(name)),
    demands: (has) => ['digest', 'x-request-id', ...(has('date') ? ['date'] : [])],
  },
  stet: {
    signs: (has) => STET_HEADERS.filter((name) => name.startsWith('(') || has(name)),
    demands: (has) => STET_HEADERS.filter((name) => name.startsWith('(') || name === 'digest' || name === 'x-request-id' || has(name)),
  },
};

const DIGESTS = { 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

export function parseArgs(argv) {
  const [command, ...rest] = argv;
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command ${command ?? '(none)'}; expected ${Object.keys(COMMANDS).join(' or ')}`);

  const options = {};
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i].startsWith('--') ? rest[i].slice(2) : undefined;
    if (!name || ![...spec.required, ...spec.optional].includes(name) || options[name] !== undefined) {
      throw new UsageError(`unknown or repeated argument ${rest[i]} for ${command}`);
    }
    const value = rest[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    options[name] = value;
  }
  const missing = spec.required.filter((name) => options[name] === undefined);
  if (missing.length > 0) throw new UsageError(`${command} needs ${missing.map((m) => `--${m}`).join(' ')}`);
  if (options.headers !== undefined && options.headers.trim() === '') throw new UsageError('--headers lists no header');
  if (options.profile !== undefined && !Object.hasOwn(PROFILES, options.profile)) {
    throw new UsageError(`--profile must be ${Object.keys(PROFILES).join(' or ')}`);
  }
  return { command, options };
}

function readText(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${error.message}`);
  }
}

// The request as a server would see it: lowercased names (each once), trimmed values, the body's bytes.
export function parseRequestFile(text) {
  let request;
  try {
    request = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the request file is not JSON: ${error.message}`);
  }
  if (typeof request?.method !== 'string' || request.method === '') throw new UsageError('the request file needs a method');
  if (typeof request.path !== 'string' || !request.path.startsWith('/')) throw new UsageError('the request file needs a path starting with /');
  if (typeof request.headers !== 'object' || request.headers === null || Array.isArray(request.headers)) {
    throw new UsageError('the request file needs a headers object');
  }

  const headers = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string') throw new UsageError(`header ${name} is not a string`);
    // Two spellings of one name would leave open which value is meant.
    if (Object.hasOwn(headers, lower)) throw new UsageError(`header ${name} is given twice`);
    headers[lower] = value.trim();
  }

  const body = request.body ?? '';
  if (typeof body !== 'string' || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
    throw new UsageError('body must be the body bytes in base64');
  }
  return { method: request.method, path: request.path, headers, body: Buffer.from(body, 'base64') };
}

// RFC 3230: algorithm=base64 pairs separated by commas. Every entry of a supported algorithm must match the
// body, and at least one must be there; unknown algorithms are passed over.
export function checkDigest(digest, body) {
  if (digest === undefined) return 'the request has no Digest header';
  let checked = 0;
  for (const entry of digest.split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf('=');
    if (separator <= 0) return `the Digest entry "${entry}" is not of the form algorithm=base64`;
    const algorithm = DIGESTS[entry.slice(0, separator).toUpperCase()];
    if (!algorithm) continue;
    const expected = createHash(algorithm).update(body).digest();
    const actual = Buffer.from(entry.slice(separator + 1), 'base64');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      return `the ${entry.slice(0, separator)} Digest does not match the body`;
    }
    checked++;
  }
  return checked > 0 ? undefined : 'the Digest uses neither SHA-256 nor SHA-512';
}

export function verify(request, certificatePem, profile = 'berlin-group') {
  let publicKey;
  try {
    publicKey = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' });
  } catch (error) {
    throw new UsageError(`the certificate is not a PEM X.509 certificate: ${error.message}`);
  }

  // Without one the library falls back to Authorization and fails on the bearer token's format instead.
  if (request.headers.signature === undefined) return { valid: false, reason: 'the request has no Signature header' };

  let parsed;
  try {
    parsed = httpSignature.parseRequest(
      { method: request.method, url: request.path, headers: request.headers },
      {
        // Otherwise the library reads Authorization first, which on a Berlin Group request is the OAuth bearer
        // token, and fails on its scheme.
        authorizationHeaderName: 'signature',
        // What the library makes sure is signed; it also refuses a Date more than 300 s from now.
        headers: PROFILES[profile].demands((name) => request.headers[name] !== undefined),
      },
    );
  } catch (error) {
    return { valid: false, reason: `${error.name}: ${error.message}` };
  }

  const details = { keyId: parsed.keyId, algorithm: parsed.params.algorithm, signedHeaders: parsed.params.headers };
  let verified;
  try {
    verified = httpSignature.verifySignature(parsed, publicKey);
  } catch (error) {
    return { valid: false, reason: `${error.name}: ${error.message}`, ...details };
  }
  if (!verified) return { valid: false, reason: 'the signature does not verify with the certificate\'s key', ...details };

  const digestProblem = checkDigest(request.headers.digest, request.body);
  if (digestProblem) return { valid: false, reason: digestProblem, ...details };
  return { valid: true, ...details };
}

export function sign(request, keyPem, keyId, headerList, profile = 'berlin-group') {
  const headers = new Map(Object.entries(request.headers));
  const added = {};
  // The library signs a Node ClientRequest; this is the part of one it uses.
  const target = {
    method: request.method,
    path: request.path,
    getHeader: (name) => headers.get(name.toLowerCase()),
    setHeader: (name, value) => {
      headers.set(name.toLowerCase(), value);
      added[name] = value;
    },
  };

  target.setHeader('Digest', `SHA-256=${createHash('sha256').update(request.body).digest('base64')}`);
  // The library adds Date before it builds the signing string, so date is always present by then.
  const names = headerList ?? PROFILES[profile].signs((name) => headers.has(name));
  httpSignature.signRequest(target, {
    key: keyPem,
    keyId,
    algorithm: 'rsa-sha256',
    headers: names,
    // Both send the parameters in a header of their own, without the "Signature " scheme prefix.
    authorizationHeaderName: 'Signature',
  });
  return { headers: added };
}

export async function main(argv) {
  let parsed;
  let request;
  let pem;
  try {
    parsed = parseArgs(argv);
    request = parseRequestFile(readText(parsed.options.request, 'request file'));
    pem = parsed.command === 'verify' ? readText(parsed.options.cert, 'certificate') : readText(parsed.options.key, 'key');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stdout.write(JSON.stringify({ error: 'invalid_usage', error_description: error.message }) + '\n');
    return 2;
  }

  try {
    if (parsed.command === 'verify') {
      const result = verify(request, pem, parsed.options.profile);
      process.stdout.write(JSON.stringify(result) + '\n');
      return result.valid ? 0 : 1;
    }
    const headerList = parsed.options.headers?.split(' ').filter(Boolean);
    process.stdout.write(JSON.stringify(sign(request, pem, parsed.options['key-id'], headerList, parsed.options.profile)) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stdout.write(JSON.stringify({ error: 'invalid_usage', error_description: error.message }) + '\n');
      return 2;
    }
    process.stdout.write(JSON.stringify({ error: error.name ?? 'error', error_description: error.message }) + '\n');
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
