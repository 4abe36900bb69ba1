#!/usr/bin/env node
// Generates a TypeScript client from the api's OpenAPI document with openapi-typescript, compiles the README's journey
// (client-journey/journey.ts) against it with tsc in strict mode, and runs it with openapi-fetch against the api.
//
//   node generated-client.mjs --document <openapi.json> --base-url <api url> --key <api key> --psu <personal number>
//
// The api key is read from PSD2_API_KEY when --key is not given (so it stays off command lines). Prints one JSON
// object, the journey's summary, on stdout. Exit 0 when it ran, 1 when tsc found an error (listed on stderr) or the
// journey failed, 2 on bad arguments.

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: { document: { type: 'string' }, 'base-url': { type: 'string' }, key: { type: 'string' }, psu: { type: 'string' } },
});
const key = values.key ?? process.env.PSD2_API_KEY;
if (!values.document || !values['base-url'] || !key || !values.psu) {
  console.error('usage: generated-client.mjs --document <openapi.json> --base-url <url> --key <api key> --psu <personal number>');
  process.exit(2);
}

// Under tests/tools, so that the compiled journey finds openapi-fetch in node_modules; one folder per run.
const work = join(here, 'generated', `${process.pid}-${Date.now()}`);
mkdirSync(work, { recursive: true });
try {
  const ast = await openapiTS(JSON.parse(readFileSync(values.document, 'utf8')));
  writeFileSync(join(work, 'api.d.ts'), astToString(ast));
  copyFileSync(join(here, 'client-journey', 'journey.ts'), join(work, 'journey.ts'));

  const program = ts.createProgram([join(work, 'journey.ts')], {
    strict: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    outDir: work,
    skipLibCheck: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(program.emit().diagnostics);
  if (diagnostics.length > 0) {
    console.error(ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: f => f, getCurrentDirectory: () => work, getNewLine: () => '\n',
    }));
    process.exit(1);
  }

  const { journey } = await import(pathToFileURL(join(work, 'journey.js')).href);
  console.log(JSON.stringify(await journey(values['base-url'], key, values.psu)));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
