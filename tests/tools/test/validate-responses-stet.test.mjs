// The STET document in specs/stet/ defines the AISP schemas but, of the operations, only the PIISP's
// POST /funds-confirmations: bank output is checked against a named schema with `component`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createValidator } from '../validate-responses.mjs';

const specPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'specs', 'stet', 'stet-openapi.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const validate = createValidator(spec);

const accounts = () => ({
  accounts: [{
    resourceId: 'acc-1',
    accountId: { iban: 'SE4550000000058398257466' },
    name: 'Everyday account',
    cashAccountType: 'CACC',
    currency: 'SEK',
    _links: { balances: { href: '/stet/psd2/v1/accounts/acc-1/balances' } },
  }],
  _links: { self: { href: '/stet/psd2/v1/accounts' } },
});

const transactions = () => ({
  transactions: [{
    entryReference: 'tx-1',
    transactionAmount: { currency: 'SEK', amount: '12.50' },
    creditDebitIndicator: 'DBIT',
    status: 'BOOK',
    bookingDate: '2026-03-01',
    remittanceInformation: ['Coffee'],
  }],
  _links: { self: { href: '/stet/psd2/v1/accounts/acc-1/transactions' }, next: { href: '/stet/psd2/v1/accounts/acc-1/transactions?page=k' } },
});

const item = (component, body) => ({ method: 'GET', path: '/accounts', status: 200, component, body });

test('the document is the STET adaptation and documents no AISP operation', () => {
  assert.equal(spec.info.contact.name, 'STET');
  assert.deepEqual(Object.keys(spec.paths), ['/funds-confirmations']);
  const result = validate({ method: 'GET', path: '/accounts', status: 200, body: accounts() });
  assert.equal(result.valid, false);
  assert.match(result.errors[0].message, /no operation GET \/accounts/);
});

test('AISP bodies validate against their components', () => {
  assert.equal(validate(item('HalAccounts', accounts())).valid, true);
  assert.equal(validate(item('HalTransactions', transactions())).valid, true);
  const balances = {
    balances: [{ name: 'Booked', balanceAmount: { currency: 'SEK', amount: '100.00' }, balanceType: 'CLBD' }],
    _links: { self: { href: '/stet/psd2/v1/accounts/acc-1/balances' } },
  };
  assert.equal(validate(item('HalBalances', balances)).valid, true);
  assert.equal(validate(item('ErrorModel', { status: 403, message: 'consent revoked by the PSU' })).valid, true);
});

test('broken bodies fail against their components', () => {
  const noLinks = accounts();
  delete noLinks._links;
  assert.equal(validate(item('HalAccounts', noLinks)).valid, false);

  const numericAmount = transactions();
  numericAmount.transactions[0].transactionAmount.amount = 12.5;
  assert.equal(validate(item('HalTransactions', numericAmount)).valid, false);

  const badIndicator = transactions();
  badIndicator.transactions[0].creditDebitIndicator = 'DEBIT';
  assert.equal(validate(item('HalTransactions', badIndicator)).valid, false);

  // 1.4.2's {"unstructured": [...]} is not the array this 1.4.0 adaptation requires.
  const structuredRemittance = transactions();
  structuredRemittance.transactions[0].remittanceInformation = { unstructured: ['Coffee'] };
  assert.equal(validate(item('HalTransactions', structuredRemittance)).valid, false);

  assert.equal(validate(item('ErrorModel', { message: 'no status' })).valid, false);
});

test('an unknown component, or component with schema, is an error', () => {
  assert.match(validate(item('HalNothing', {})).errors[0].message, /no schema HalNothing/);
  assert.match(validate({ ...item('HalAccounts', accounts()), schema: 'HalAccounts' }).errors[0].message, /either component or schema/);
});
