#!/usr/bin/env node
// Checks recorded bank responses against the Berlin Group NextGenPSD2 OpenAPI 3.0 file with ajv, so that
// the bank is judged by the published contract rather than by our own reading of it.
//
//   node validate-responses.mjs --spec <openapi.json> --input <responses.json>
//
// The input is a JSON array of { method, path, status, body } where path is the spec's path template
// (e.g. "/v1/accounts/{account-id}/transactions"). Optional per item:
//   contentType  media type to pick from the response's content (default "application/json"); error
//                bodies are documented both as application/json (tppMessages) and application/problem+json.
//   schema       name of a components/schemas entry that must be one of the documented alternatives, to
//                pin a oneOf response to the variant the test expects (see the oneOf note below).
//   component    name of a components/schemas entry to check the body against directly, without looking
//                the operation up: for documents that define the schemas but not the operations (the STET
//                adaptation in specs/stet/ documents only POST /funds-confirmations).
// Prints one JSON line per item {path, method, status, valid, errors}; exit 0 if all are valid, 1 if any
// is not, 2 on usage errors (bad arguments, unreadable files).

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const SPEC_ID = 'urn:berlin-group:psd2-api';
const SCHEMA_REF = '#/components/schemas/';
const RESPONSE_REF = '#/components/responses/';

export class UsageError extends Error {}

// OpenAPI 3.0 schemas are not JSON Schema: they are turned into draft-07, which ajv checks natively.
// Walks schema positions only, so a property that happens to be named "example" or "nullable" survives.
export function toJsonSchema(schema) {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(toJsonSchema);

  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      // Annotations for humans and code generators; they constrain nothing.
      case 'example':
      case 'examples':
      case 'discriminator':
      case 'xml':
      case 'externalDocs':
      case 'nullable':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        break;
      case '$ref':
        out.$ref = absoluteRef(value);
        break;
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]));
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
      case 'allOf':
      case 'anyOf':
        out[key] = toJsonSchema(value);
        break;
      // The spec's oneOf alternatives are open objects (no additionalProperties: false) whose required
      // lists nest: a body with only scaStatus matches three of OK_200_UpdatePsuData's five, a periodic
      // payment matches the single payment too. Read literally, oneOf would reject every such body, so it
      // is read as the "one of these shapes" the authors meant. Items can pin the variant with `schema`.
      case 'oneOf':
        out.anyOf = toJsonSchema(value);
        break;
      // JSON Schema patterns match anywhere in the string, so "[A-Z]{3}" would take "EURO" and the amount
      // pattern "500,00". Every pattern in the spec describes a whole value (currency, IBAN, BIC, amount),
      // so they are anchored: the point here is to catch malformed bank output, not to be lenient.
      case 'pattern':
        out.pattern = typeof value === 'string' ? anchor(value) : value;
        break;
      default:
        out[key] = value;
    }
  }

  // OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum (frequencyPerDay has
  // "exclusiveMinimum": false); draft-07 wants the bound itself.
  if (schema.exclusiveMinimum === true && typeof schema.minimum === 'number') {
    delete out.minimum;
    out.exclusiveMinimum = schema.minimum;
  }
  if (schema.exclusiveMaximum === true && typeof schema.maximum === 'number') {
    delete out.maximum;
    out.exclusiveMaximum = schema.maximum;
  }

  if (schema.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.type === undefined) {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

// Wrapping a pattern that is already anchored is harmless: ^ and $ are zero-width.
function anchor(pattern) {
  return `^(?:${pattern})$`;
}

// Response schemas are compiled on their own, outside the registered document, so their refs must name it.
function absoluteRef(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return ref;
  if (!ref.startsWith(SCHEMA_REF)) throw new Error(`schema $ref outside components/schemas: ${ref}`);
  return SPEC_ID + ref;
}

function pointer(spec, ref) {
  let node = spec;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}

function resolve(spec, node) {
  const seen = new Set();
  while (node && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    node = pointer(spec, node.$ref);
  }
  return node;
}

export function createValidator(spec) {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    // cardAcceptorPhone's pattern escapes "-" outside a character class, which the "u" flag rejects.
    unicodeRegExp: false,
    logger: false,
  });
  addFormats(ajv);

  const schemas = Object.fromEntries(
    Object.entries(spec.components?.schemas ?? {}).map(([name, s]) => [name, toJsonSchema(s)]),
  );
  ajv.addSchema({ $id: SPEC_ID, components: { schemas } });

  const compiled = new Map();

  function schemaFor(item) {
    if (item.component !== undefined) return componentSchema(item);
    const method = String(item.method ?? '').toLowerCase();
    const operation = spec.paths?.[item.path]?.[method];
    if (!operation) return { problem: `no operation ${method.toUpperCase()} ${item.path} in the spec` };

    const status = String(item.status);
    const declared = operation.responses?.[status];
    if (!declared) {
      const documented = Object.keys(operation.responses ?? {}).join(', ');
      return { problem: `status ${status} is not documented for ${method.toUpperCase()} ${item.path} (documented: ${documented})` };
    }
    const response = resolve(spec, declared);
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) return { empty: true };

    const contentType = item.contentType ?? 'application/json';
    const media = content[contentType];
    if (!media?.schema) {
      return { problem: `status ${status} documents no ${contentType} body (documented: ${Object.keys(content).join(', ')})` };
    }

    let source = media.schema;
    if (item.schema !== undefined) {
      const alternatives = (resolve(spec, source).oneOf ?? resolve(spec, source).anyOf ?? [source]).map((a) => a.$ref);
      const wanted = SCHEMA_REF + item.schema;
      if (!alternatives.includes(wanted)) {
        return { problem: `schema ${item.schema} is not among the documented ones: ${alternatives.join(', ')}` };
      }
      source = { $ref: wanted };
    }

    const key = `${method} ${item.path} ${status} ${contentType} ${item.schema ?? ''}`;
    if (!compiled.has(key)) compiled.set(key, ajv.compile(toJsonSchema(source)));
    return { validate: compiled.get(key) };
  }

  function componentSchema(item) {
    if (item.schema !== undefined) return { problem: 'an item names either component or schema, not both' };
    if (!Object.hasOwn(spec.components?.schemas ?? {}, item.component)) {
      return { problem: `no schema ${item.component} in components/schemas` };
    }
    const key = `component ${item.component}`;
    if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: SPEC_ID + SCHEMA_REF + item.component }));
    return { validate: compiled.get(key) };
  }

  return function validateItem(item) {
    const result = { path: item.path, method: item.method, status: item.status, valid: false, errors: [] };
    const found = schemaFor(item);
    if (found.problem) {
      result.errors.push({ message: found.problem });
    } else if (found.empty) {
      // 204s and bodiless errors: whatever arrives must be nothing.
      const body = item.body;
      result.valid = body === undefined || body === null || body === '';
      if (!result.valid) result.errors.push({ message: `status ${item.status} documents no body` });
    } else if (item.body === undefined) {
      result.errors.push({ message: 'a body is documented but the item has none' });
    } else {
      result.valid = found.validate(item.body);
      result.errors = (found.validate.errors ?? []).map((e) => ({
        instancePath: e.instancePath,
        schemaPath: e.schemaPath,
        keyword: e.keyword,
        message: e.message,
        params: e.params,
      }));
    }
    return result;
  };
}

export function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== '--spec' && arg !== '--input') throw new UsageError(`unknown argument ${arg}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    options[arg.slice(2)] = value;
  }
  for (const required of ['spec', 'input']) {
    if (!options[required]) throw new UsageError(`--${required} is required`);
  }
  return options;
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${error.message}`);
  }
}

export function main(argv) {
  let options, spec, items;
  try {
    options = parseArgs(argv);
    spec = readJson(options.spec, 'spec');
    items = readJson(options.input, 'input');
    if (!Array.isArray(items)) throw new UsageError('the input must be a JSON array');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nusage: node validate-responses.mjs --spec <openapi.json> --input <responses.json>\n`);
    return 2;
  }

  const validateItem = createValidator(spec);
  let allValid = true;
  for (const item of items) {
    const result = validateItem(item ?? {});
    allValid &&= result.valid;
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  return allValid ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
