// The spec's own examples are the closest thing to bank output the Berlin Group publishes: if the
// validator accepts them (bar the ones the spec gets wrong) and rejects them once broken, it reads the
// spec the way the spec means.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createValidator, toJsonSchema } from '../validate-responses.mjs';

const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// shared/ sits beside the repository, as in CI's checkout.
const specPath = process.env.PSD2_SPEC
  ?? join(toolsDir, '..', '..', '..', 'shared', 'specs', 'berlin-group', 'psd2-api_v1.3.12-2022-07-06.json');
assert.ok(existsSync(specPath), `the Berlin Group spec is missing at ${specPath} (set PSD2_SPEC to point at it)`);

const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const validate = createValidator(spec);

function deref(node) {
  while (node?.$ref) node = node.$ref.slice(2).split('/').map((p) => p.replaceAll('~1', '/')).reduce((n, p) => n[p], spec);
  return node;
}

function example(method, path, status, name) {
  const response = deref(spec.paths[path][method.toLowerCase()].responses[String(status)]);
  return structuredClone(deref(response.content['application/json'].examples[name]).value);
}

function allExamples() {
  const found = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, declared] of Object.entries(operation.responses ?? {})) {
        const examples = deref(declared).content?.['application/json']?.examples ?? {};
        for (const [name, value] of Object.entries(examples)) {
          found.push({ method: method.toUpperCase(), path, status: Number(status), name, body: deref(value).value });
        }
      }
    }
  }
  return found;
}

// Examples the spec itself gets wrong, each checked to be the example's fault, not the validator's.
const WRONG_IN_SPEC = new Map([
  // A JSON string holding the JSON, not an object.
  ['GET /v1/{payment-service}/{payment-product}/{paymentId}/status 200 extended', 'type'],
  // "scatransactionStatus": a misspelt scaStatus, in all four copies of this example.
  ['PUT /v1/{payment-service}/{payment-product}/{paymentId}/authorisations/{authorisationId} 200 Update PSU identification - payment initiation (Decoupled Approach)', 'required'],
  ['PUT /v1/{payment-service}/{payment-product}/{paymentId}/cancellation-authorisations/{authorisationId} 200 Update PSU identification - payment initiation (Decoupled Approach)', 'required'],
  ['PUT /v1/consents/{consentId}/authorisations/{authorisationId} 200 Update PSU identification - payment initiation (Decoupled Approach)', 'required'],
  ['PUT /v1/signing-baskets/{basketId}/authorisations/{authorisationId} 200 Update PSU identification - payment initiation (Decoupled Approach)', 'required'],
  // A balance entry holding only {"debitAccounting": true}.
  ['GET /v1/card-accounts/{account-id}/balances 200 Example:', 'required'],
  // "recurringIndicator": "true" (a string) and no lastActionDate.
  ['GET /v1/consents/{consentId} 200 Example', 'required'],
  // "fundsAvailable": "true", a string.
  ['POST /v1/funds-confirmations 200 Example', 'type'],
]);

test('every application/json response example in the spec validates, except the ones the spec gets wrong', () => {
  const examples = allExamples();
  assert.ok(examples.length >= 60, `expected the spec's 61 examples, found ${examples.length}`);
  for (const item of examples) {
    const key = `${item.method} ${item.path} ${item.status} ${item.name}`;
    const result = validate(item);
    if (WRONG_IN_SPEC.has(key)) {
      assert.equal(result.valid, false, `${key} was expected to fail`);
      assert.ok(result.errors.some((e) => e.keyword === WRONG_IN_SPEC.get(key)), `${key}: ${JSON.stringify(result.errors)}`);
    } else {
      assert.equal(result.valid, true, `${key}: ${JSON.stringify(result.errors)}`);
    }
  }
});

test('a transactions report without _links fails', () => {
  const body = example('GET', '/v1/accounts/{account-id}/transactions', 200, 'Example 1');
  const item = { method: 'GET', path: '/v1/accounts/{account-id}/transactions', status: 200, body };
  assert.equal(validate(item).valid, true);

  delete body.transactions._links;
  const result = validate(item);
  assert.equal(result.valid, false);
  assert.deepEqual(
    result.errors.map((e) => [e.instancePath, e.keyword, e.params.missingProperty]),
    [['/transactions', 'required', '_links']],
  );
});

test('an account without currency fails', () => {
  const body = example('GET', '/v1/accounts', 200, 'Example 1');
  delete body.accounts[1].currency;
  const result = validate({ method: 'GET', path: '/v1/accounts', status: 200, body });
  assert.equal(result.valid, false);
  assert.deepEqual(
    result.errors.map((e) => [e.instancePath, e.params.missingProperty]),
    [['/accounts/1', 'currency']],
  );
});

test('formats, patterns and enums are enforced', () => {
  const path = '/v1/accounts/{account-id}/balances';
  const broken = [
    (b) => { b.balances[0].referenceDate = '25.10.2017'; },             // format: date
    (b) => { b.balances[1].lastChangeDateTime = '2017-10-25 15:30'; },  // format: date-time
    (b) => { b.balances[0].balanceAmount.amount = '500,00'; },          // amountValue pattern, anchored
    (b) => { b.balances[0].balanceAmount.currency = 'EURO'; },          // currencyCode pattern, anchored
    (b) => { b.balances[0].balanceAmount.amount = 500; },               // a number, not a string
    (b) => { b.balances[0].balanceType = 'closing'; },                  // balanceType enum
  ];
  for (const breakIt of broken) {
    const body = example('GET', path, 200, 'Example 1: Regular Account');
    breakIt(body);
    assert.equal(validate({ method: 'GET', path, status: 200, body }).valid, false, JSON.stringify(body));
  }
});

test('consent frequencyPerDay keeps its OpenAPI 3.0 minimum despite the boolean exclusiveMinimum', () => {
  const body = { access: {}, recurringIndicator: true, validUntil: '2030-01-01', frequencyPerDay: 1, lastActionDate: '2024-01-01', consentStatus: 'valid' };
  const item = { method: 'GET', path: '/v1/consents/{consentId}', status: 200, body };
  assert.equal(validate(item).valid, true, JSON.stringify(validate(item).errors));
  body.frequencyPerDay = 0;
  assert.equal(validate(item).valid, false);
});

test('oneOf responses accept each documented shape, and pinning a variant checks that one', () => {
  const path = '/v1/{payment-service}/{payment-product}/{paymentId}';
  const single = {
    debtorAccount: { iban: 'DE40100100103307118608' },
    instructedAmount: { currency: 'EUR', amount: '123.50' },
    creditorAccount: { iban: 'DE02100100109307118603' },
    creditorName: 'Merchant123',
    transactionStatus: 'ACSC',
  };
  const periodic = { ...single, startDate: '2024-03-01', frequency: 'Monthly' };
  assert.equal(validate({ method: 'GET', path, status: 200, body: single }).valid, true);
  assert.equal(validate({ method: 'GET', path, status: 200, body: periodic }).valid, true);

  const pinned = { method: 'GET', path, status: 200, body: single, schema: 'periodicPaymentInitiationWithStatusResponse' };
  assert.equal(validate(pinned).valid, false);
  assert.equal(validate({ ...pinned, body: periodic }).valid, true);
  assert.equal(validate({ ...pinned, schema: 'accountList' }).valid, false);
});

test('error bodies: tppMessages as application/json, problem details on request, nothing where none is documented', () => {
  const path = '/v1/accounts';
  const tppMessages = { tppMessages: [{ category: 'ERROR', code: 'CONSENT_INVALID' }] };
  assert.equal(validate({ method: 'GET', path, status: 401, body: tppMessages }).valid, true);
  assert.equal(validate({ method: 'GET', path, status: 401, body: { tppMessages: [{ code: 'CONSENT_INVALID' }] } }).valid, false);

  const problem = { type: 'https://berlin-group.org/problems/CONSENT_INVALID', code: 'CONSENT_INVALID', title: 'Consent invalid' };
  assert.equal(validate({ method: 'GET', path, status: 401, contentType: 'application/problem+json', body: problem }).valid, true);

  assert.equal(validate({ method: 'GET', path, status: 500 }).valid, true);
  assert.equal(validate({ method: 'GET', path, status: 500, body: tppMessages }).valid, false);
  assert.equal(validate({ method: 'DELETE', path: '/v1/consents/{consentId}', status: 204, body: null }).valid, true);
});

test('an undocumented status, operation or missing body is an error, not a pass', () => {
  const body = example('GET', '/v1/accounts', 200, 'Example 1');
  for (const item of [
    { method: 'GET', path: '/v1/accounts', status: 201, body },
    { method: 'POST', path: '/v1/accounts', status: 200, body },
    { method: 'GET', path: '/v1/accounts/{accountId}', status: 200, body },
    { method: 'GET', path: '/v1/accounts', status: 200 },
  ]) {
    const result = validate(item);
    assert.equal(result.valid, false, JSON.stringify(item));
    assert.ok(result.errors[0].message, JSON.stringify(result));
  }
});

test('OpenAPI 3.0 keywords are translated', () => {
  assert.deepEqual(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] }), { type: ['string', 'null'], enum: ['a', null] });
  assert.deepEqual(toJsonSchema({ type: 'integer', minimum: 1, exclusiveMinimum: true }), { type: 'integer', exclusiveMinimum: 1 });
  assert.deepEqual(toJsonSchema({ type: 'integer', minimum: 1, exclusiveMinimum: false }), { type: 'integer', minimum: 1 });
  assert.deepEqual(toJsonSchema({ type: 'string', pattern: '[A-Z]{3}' }), { type: 'string', pattern: '^(?:[A-Z]{3})$' });
  assert.deepEqual(toJsonSchema({ oneOf: [{ $ref: '#/components/schemas/a' }] }), { anyOf: [{ $ref: 'urn:berlin-group:psd2-api#/components/schemas/a' }] });
  assert.deepEqual(
    toJsonSchema({ type: 'object', properties: { example: { type: 'string', example: 'x' } }, example: {} }),
    { type: 'object', properties: { example: { type: 'string' } } },
  );
});

const execFileAsync = promisify(execFile);
async function run(...args) {
  try {
    const { stdout } = await execFileAsync(process.execPath, [join(toolsDir, 'validate-responses.mjs'), ...args]);
    return { code: 0, stdout };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

test('the command line prints one line per item and exits 0, 1 or 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-responses-'));
  const good = example('GET', '/v1/accounts', 200, 'Example 1');
  const bad = structuredClone(good);
  delete bad.accounts[0].currency;
  const input = join(dir, 'input.json');

  writeFileSync(input, JSON.stringify([{ method: 'GET', path: '/v1/accounts', status: 200, body: good }]));
  let result = await run('--spec', specPath, '--input', input);
  assert.equal(result.code, 0);
  assert.deepEqual(JSON.parse(result.stdout), { path: '/v1/accounts', method: 'GET', status: 200, valid: true, errors: [] });

  writeFileSync(input, JSON.stringify([
    { method: 'GET', path: '/v1/accounts', status: 200, body: good },
    { method: 'GET', path: '/v1/accounts', status: 200, body: bad },
  ]));
  result = await run('--spec', specPath, '--input', input);
  assert.equal(result.code, 1);
  assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line).valid), [true, false]);

  assert.equal((await run('--spec', specPath)).code, 2);
  assert.equal((await run('--spec', specPath, '--input', join(dir, 'absent.json'))).code, 2);
  assert.equal((await run('--input', input, '--spec', specPath, '--verbose')).code, 2);
});
