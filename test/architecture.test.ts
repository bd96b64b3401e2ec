/**
 * The arrows point down (docs: architecture): routes -> service -> bandit, store, contract. Nothing
 * below the HTTP layer imports from it (src/api, src/plugins, app.ts, main.ts) or from Fastify, and
 * the contract (the schemas below the service) imports no use case either. Imports are read with
 * TypeScript's own pre-processor, so static, type-only, re-exported and dynamic imports all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(new URL('../src', import.meta.url).pathname);
const HTTP_LAYER = ['api/', 'plugins/', 'app.ts', 'main.ts'];
const HTTP_PACKAGES = /^(fastify|@fastify\/|fastify-)/;
/** Layer (folder under src/) -> what it must not import, besides the HTTP layer and Fastify. */
const BELOW_HTTP: Record<string, string[]> = { service: [], store: [], bandit: [], contract: ['service/'], assignment: [], format: [] };

/** The imports of one file (path relative to src/) that run back up; empty when none do. */
export function upwardImports(file: string, text: string): string[] {
  const layer = file.split('/')[0];
  const forbidden = [...HTTP_LAYER, ...(BELOW_HTTP[layer] ?? [])];
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).filter((spec) => {
    if (!spec.startsWith('.')) return HTTP_PACKAGES.test(spec);
    const target = relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts');
    return forbidden.some((f) => target === f || target.startsWith(f));
  }).map((spec) => `${file} imports ${spec}`);
}

const filesUnder = (dir: string): string[] => readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);

describe('the layers', () => {
  it('no file under service, store, bandit, contract, assignment or format imports from the HTTP layer or Fastify', () => {
    const files = Object.keys(BELOW_HTTP).flatMap(filesUnder);
    expect(files).toEqual(expect.arrayContaining(['service/reward.ts', 'store/store.ts', 'bandit/thompson.ts', 'contract/experiment.ts']));
    expect(files.flatMap((f) => upwardImports(f, readFileSync(join(SRC, f), 'utf8')))).toEqual([]);
  });

  it('flags an arrow that runs back up, in every form', () => {
    expect(upwardImports('service/x.ts', "import { CreateExperimentSchema } from '../api/schemas.js';")).toHaveLength(1);
    expect(upwardImports('service/x.ts', "import type { X } from '../plugins/auth.js';")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "export { y } from '../app.js';")).toHaveLength(1);
    expect(upwardImports('bandit/x.ts', "const m = await import('../api/responses.js');")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "import type { FastifyInstance } from 'fastify';")).toHaveLength(1);
    expect(upwardImports('contract/x.ts', "import { select } from '../service/select.js';")).toHaveLength(1);
    // Downward and sideways arrows are fine.
    expect(upwardImports('service/x.ts', "import { z } from 'zod'; import { A } from '../contract/experiment.js'; import { B } from './select.js';")).toEqual([]);
    expect(upwardImports('service/x.ts', "import { apiKeys } from './api-key-material.js';")).toEqual([]);
  });
});
