// The tool's own plumbing around the library: the request file, the Digest check the library leaves out, the
// Berlin Group header list, and that a signature the tool makes verifies while a tampered one does not. A
// throwaway RSA certificate from openssl stands in for a QSealC.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkDigest, parseArgs, parseRequestFile, UsageError } from '../http-signature.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'http-signature.mjs');
const execFileAsync = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'http-signature-'));
const file = (name) => join(dir, name);

const EMPTY_SHA256 = 'SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const body = Buffer.from('{"access":{"allPsd2":"allAccounts"},"frequencyPerDay":4}');

for (const name of ['tpp', 'stranger']) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', file(`${name}.key`),
    '-out', file(`${name}.pem`), '-subj', `/CN=${name}/O=Test TPP`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function run(...args) {
  try {
    const { stdout } = await execFileAsync(process.execPath, [script, ...args]);
    return { code: 0, json: JSON.parse(stdout) };
  } catch (error) {
    return { code: error.code, json: JSON.parse(error.stdout), stderr: error.stderr };
  }
}

function writeRequest(request) {
  const path = file(`request-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ ...request, body: request.body?.toString('base64') }));
  return path;
}

function consentRequest() {
  return {
    method: 'POST',
    path: '/v1/consents',
    headers: {
      'X-Request-ID': '99391c7e-ad88-49ec-a2ad-99ddcb1f7721',
      'PSU-ID': 'PSU-4711',
      'TPP-Redirect-URI': 'https://platform.example/callback?state=abc',
      'PSU-IP-Address': '192.0.2.10',
      Authorization: 'Bearer access-token',
    },
    body,
  };
}

async function signed(request, ...extra) {
  const keyId = extra.includes('--key-id') ? [] : ['--key-id', 'SN=1A,CA=CN=Test CA'];
  const result = await run('sign', '--request', writeRequest(request), '--key', file('tpp.key'), ...keyId, ...extra);
  assert.equal(result.code, 0, JSON.stringify(result));
  return { ...request, headers: { ...request.headers, ...result.json.headers } };
}

const verify = (request, cert = 'tpp.pem') => run('verify', '--request', writeRequest(request), '--cert', file(cert));

test('arguments: each command takes exactly its own options', () => {
  assert.deepEqual(parseArgs(['verify', '--request', 'r.json', '--cert', 'c.pem']), {
    command: 'verify', options: { request: 'r.json', cert: 'c.pem' },
  });
  const sign = ['sign', '--request', 'r.json', '--key', 'k.pem', '--key-id', 'SN=1,CA=CN=x'];
  assert.equal(parseArgs([...sign, '--headers', 'digest date']).options.headers, 'digest date');

  for (const bad of [
    [],
    ['check'],
    ['verify', '--request', 'r.json'],                         // no --cert
    ['verify', '--request', 'r.json', '--cert', 'c.pem', '--key', 'k.pem'],
    ['verify', '--request', 'r.json', '--request', 'r.json', '--cert', 'c.pem'],
    sign.slice(0, -1),                                         // --key-id without its value
    [...sign, '--headers', ' '],
  ]) {
    assert.throws(() => parseArgs(bad), UsageError, JSON.stringify(bad));
  }
});

test('the request file: names lowercased, values trimmed, body in base64', () => {
  const parsed = parseRequestFile(JSON.stringify({ method: 'GET', path: '/v1/accounts', headers: { 'X-Request-ID': ' abc ' }, body: 'AAE=' }));
  assert.deepEqual(parsed.headers, { 'x-request-id': 'abc' });
  assert.deepEqual([...parsed.body], [0, 1]);
  assert.equal(parseRequestFile(JSON.stringify({ method: 'GET', path: '/', headers: {} })).body.length, 0);

  for (const bad of [
    'not json',
    { path: '/', headers: {} },
    { method: 'GET', path: 'v1', headers: {} },
    { method: 'GET', path: '/', headers: { 'x-a': '1', 'X-A': '2' } },
    { method: 'GET', path: '/', headers: { 'x-a': 1 } },
    { method: 'GET', path: '/', headers: {}, body: '{"utf8":"not base64"}' },
  ]) {
    assert.throws(() => parseRequestFile(typeof bad === 'string' ? bad : JSON.stringify(bad)), UsageError, JSON.stringify(bad));
  }
});

test('the Digest: every SHA-256 or SHA-512 entry must match, and one must be there', () => {
  const sha512 = `SHA-512=${createHash('sha512').update(body).digest('base64')}`;
  assert.equal(checkDigest(EMPTY_SHA256, Buffer.alloc(0)), undefined);
  assert.equal(checkDigest(`md5=AAAA, ${sha512}`, body), undefined);
  assert.match(checkDigest(EMPTY_SHA256, body), /SHA-256 Digest does not match/);
  assert.match(checkDigest(`${sha512},${EMPTY_SHA256}`, body), /SHA-256 Digest does not match/);
  assert.match(checkDigest('md5=AAAA', body), /neither SHA-256 nor SHA-512/);
  assert.match(checkDigest(undefined, body), /no Digest/);
});

test('sign adds Digest, Date and a Signature over the Berlin Group headers present, which verifies', async () => {
  const request = await signed(consentRequest());
  assert.match(request.headers.Date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.match(request.headers.Signature,
    /^keyId="SN=1A,CA=CN=Test CA",algorithm="rsa-sha256",headers="digest x-request-id psu-id tpp-redirect-uri date",signature="[A-Za-z0-9+/]+=*"$/);

  const result = await verify(request);
  assert.equal(result.code, 0, JSON.stringify(result));
  assert.deepEqual(result.json, {
    valid: true, keyId: 'SN=1A,CA=CN=Test CA', algorithm: 'rsa-sha256',
    signedHeaders: ['digest', 'x-request-id', 'psu-id', 'tpp-redirect-uri', 'date'],
  });
});

test('a request without body is signed with the empty body\'s digest, and an existing Date is kept', async () => {
  const date = new Date().toUTCString();
  const request = await signed({ method: 'GET', path: '/v1/accounts?withBalance=true', headers: { 'X-Request-ID': 'r-1', Date: date } });
  assert.equal(request.headers.Digest, EMPTY_SHA256);
  assert.equal(request.headers.Date, date);
  assert.equal((await verify(request)).code, 0);
});

test('verify takes the header order from the signature, as a signer other than this tool writes it', async () => {
  const request = consentRequest();
  request.headers = { ...request.headers, Date: new Date().toUTCString(), Digest: `SHA-256=${createHash('sha256').update(body).digest('base64')}` };
  const order = ['date', 'digest', 'x-request-id', 'psu-id', 'tpp-redirect-uri'];
  const lower = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const signature = createSign('sha256').update(order.map((name) => `${name}: ${lower[name]}`).join('\n')).sign(readFileSync(file('tpp.key')), 'base64');
  request.headers.Signature = `keyId="k",algorithm="rsa-sha256",headers="${order.join(' ')}",signature="${signature}"`;

  const result = await verify(request);
  assert.equal(result.code, 0, JSON.stringify(result));
  assert.deepEqual(result.json.signedHeaders, order);
});

test('a tampered request is invalid and exits 1', async () => {
  const request = await signed(consentRequest());
  const cases = {
    body: [{ ...request, body: Buffer.from(body.toString().replace('4', '9')) }, /Digest does not match/],
    'x-request-id': [{ ...request, headers: { ...request.headers, 'X-Request-ID': 'other' } }, /signature does not verify/],
    'an unsigned Digest': [await signed(consentRequest(), '--headers', 'x-request-id date'), /digest was not a signed header/],
    'another key': [request, /signature does not verify/, 'stranger.pem'],
    'no signature': [{ ...request, headers: { ...request.headers, Signature: undefined } }, /no Signature header/],
  };
  for (const [name, [tampered, reason, cert]] of Object.entries(cases)) {
    const result = await verify(tampered, cert);
    assert.equal(result.code, 1, `${name}: ${JSON.stringify(result)}`);
    assert.equal(result.json.valid, false, name);
    assert.match(result.json.reason, reason, name);
  }
});

function stetConsentRequest() {
  return {
    method: 'PUT',
    path: '/stet/psd2/v1/consents',
    headers: {
      'X-Request-ID': '99391c7e-ad88-49ec-a2ad-99ddcb1f7721',
      'PSU-IP-Address': '192.0.2.10',
      'Content-Type': 'application/json; charset=utf-8',
      Authorization: 'Bearer access-token',
    },
    body,
  };
}

const STET_KEY_ID = 'http://127.0.0.1:5000/tpp/certificates/qsealc_714f8154ec259ac40b8a9786c9908488b2582b68b17e865fede4636d726b709f.pem';
const stetSigned = (request) => signed(request, '--profile', 'stet', '--key-id', STET_KEY_ID);
const stetVerify = (request) => run('verify', '--request', writeRequest(request), '--cert', file('tpp.pem'), '--profile', 'stet');

test('the STET profile signs (request-target), digest, x-request-id and, when present, psu-ip-address and content-type', async () => {
  const request = await stetSigned(stetConsentRequest());
  assert.match(request.headers.Signature, new RegExp(
    `^keyId="${STET_KEY_ID.replaceAll('.', '\\.')}",algorithm="rsa-sha256",headers="\\(request-target\\) digest x-request-id psu-ip-address content-type",`));

  const result = await stetVerify(request);
  assert.equal(result.code, 0, JSON.stringify(result));
  assert.deepEqual(result.json.signedHeaders, ['(request-target)', 'digest', 'x-request-id', 'psu-ip-address', 'content-type']);

  const read = await stetSigned({ method: 'GET', path: '/stet/psd2/v1/accounts', headers: { 'X-Request-ID': 'r-1' } });
  assert.equal(read.headers.Digest, EMPTY_SHA256);
  assert.equal((await stetVerify(read)).code, 0);
});

test('the STET profile refuses another target, an unsigned (request-target) or PSU address', async () => {
  const request = await stetSigned(stetConsentRequest());
  const cases = {
    'another path': [{ ...request, path: '/stet/psd2/v1/consents?x=1' }, /signature does not verify/],
    'another method': [{ ...request, method: 'POST' }, /signature does not verify/],
    'a Berlin Group signature': [await signed(stetConsentRequest()), /\(request-target\) was not a signed header/],
    'an unsigned PSU address': [
      await signed(stetConsentRequest(), '--profile', 'stet', '--key-id', STET_KEY_ID, '--headers', '(request-target) digest x-request-id content-type'),
      /psu-ip-address was not a signed header/],
  };
  for (const [name, [tampered, reason]] of Object.entries(cases)) {
    const result = await stetVerify(tampered);
    assert.equal(result.code, 1, `${name}: ${JSON.stringify(result)}`);
    assert.match(result.json.reason, reason, name);
  }
});

test('bad input exits 2 with invalid_usage', async () => {
  const missing = await run('verify', '--request', file('nonexistent.json'), '--cert', file('tpp.pem'));
  assert.equal(missing.code, 2);
  assert.equal(missing.json.error, 'invalid_usage');
  assert.match(missing.json.error_description, /request file/);

  const notACertificate = await run('verify', '--request', writeRequest(consentRequest()), '--cert', file('tpp.key'));
  assert.equal(notACertificate.code, 2);
  assert.match(notACertificate.json.error_description, /certificate/);

  const unknownProfile = await run('verify', '--request', writeRequest(consentRequest()), '--cert', file('tpp.pem'), '--profile', 'uk');
  assert.equal(unknownProfile.code, 2);
  assert.match(unknownProfile.json.error_description, /--profile must be berlin-group or stet/);
});
