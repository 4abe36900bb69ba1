#!/usr/bin/env node
// Verifies a compact JWS with jose (panva/jose), an implementation the platform shares no code with: the
// platform's signed request objects (UK Open Banking's JAR, RFC 9101) must verify with it as a bank would check
// them: the certificate in the x5c header issued by the trusted CA, the algorithm PS256, the signature over the
// exact compact serialisation.
//
// Command (prints one JSON object on stdout; bad arguments print {error: "invalid_usage", ...} and exit 2):
//   verify --jws <file> --ca <ca.pem>
//       {valid: true, alg, typ, subject, claims} and exit 0, or {valid: false, reason} and exit 1.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';

function usage(message) {
  console.log(JSON.stringify({ error: 'invalid_usage', error_description: message }));
  process.exit(2);
}

function options(args) {
  const parsed = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) usage(`unexpected argument ${args[i]}`);
    parsed[args[i].slice(2)] = args[i + 1];
  }
  for (const name of ['jws', 'ca']) if (!parsed[name]) usage(`--${name} is required`);
  return parsed;
}

async function verify(jws, caPem) {
  const header = decodeProtectedHeader(jws);
  if (header.alg !== 'PS256') return { valid: false, reason: `alg ${header.alg} is not PS256` };
  if (!Array.isArray(header.x5c) || header.x5c.length === 0) return { valid: false, reason: 'no x5c header' };
  const pem = `-----BEGIN CERTIFICATE-----\n${header.x5c[0].match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
  const certificate = new X509Certificate(pem);
  const ca = new X509Certificate(caPem);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) return { valid: false, reason: 'x5c is not issued by the CA' };
  const { payload } = await compactVerify(jws, await importX509(pem, 'PS256'));
  return { valid: true, alg: header.alg, typ: header.typ, subject: certificate.subject, claims: JSON.parse(new TextDecoder().decode(payload)) };
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'verify') usage('the command is verify');
const args = options(rest);
try {
  const verdict = await verify(readFileSync(args.jws, 'utf8').trim(), readFileSync(args.ca, 'utf8'));
  console.log(JSON.stringify(verdict));
  process.exit(verdict.valid ? 0 : 1);
} catch (e) {
  console.log(JSON.stringify({ valid: false, reason: e.code ?? e.message }));
  process.exit(1);
}
