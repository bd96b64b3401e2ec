/**
 * The arrows point down (docs: architecture), one line per layer:
 *   contract/                 imports nothing of the project (the schemas and the domain's value types)
 *   bandit/                   contract/ only (pure math)
 *   store/, assignment/, format/   contract/ and bandit/ only (none of them imports another)
 *   config.ts, errors.ts      nothing, and contract/
 *   observability/            contract/ and store/ (metrics, histograms, the timed store)
 *   service/                  what is below it
 *   jobs/                     the service and what is below it (background work: one start, one stop each)
 *   api/, plugins/            the service and what is below it (neither imports the other; plugins/ also jobs/)
 *   app.ts, main.ts           everything (main.ts also app.ts): nothing else imports the HTTP layer
 *   client/                   contract/ only; lifecycle/, healthcheck.ts nothing of the project
 * Nothing below the HTTP layer imports Fastify, and no file of src/ is on an import cycle; no file of
 * src/ is over 300 lines. Imports are read with TypeScript's own pre-processor, so static, type-only,
 * re-exported and dynamic imports all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(new URL('../src', import.meta.url).pathname);
const HTTP_PACKAGES = /^(fastify|@fastify\/|fastify-)/;
const BELOW_SERVICE = ['contract', 'bandit', 'store', 'assignment', 'format', 'config.ts', 'errors.ts', 'observability'];
/** Layer (a folder under src/, or a file at its top) -> the other layers it may import. A layer absent here may not exist. */
const MAY_IMPORT: Record<string, string[]> = {
  contract: [],
  bandit: ['contract'],
  store: ['contract', 'bandit'],
  assignment: ['contract', 'bandit'],
  format: ['contract', 'bandit'],
  'config.ts': ['contract'],
  'errors.ts': ['contract'],
  observability: ['contract', 'store'],
  service: BELOW_SERVICE,
  api: [...BELOW_SERVICE, 'service'],
  jobs: [...BELOW_SERVICE, 'service'],
  plugins: [...BELOW_SERVICE, 'service', 'jobs'],
  lifecycle: [],
  'healthcheck.ts': [],
  client: ['contract'],
  'app.ts': [...BELOW_SERVICE, 'service', 'jobs', 'api', 'plugins', 'lifecycle'],
  'main.ts': [...BELOW_SERVICE, 'service', 'jobs', 'api', 'plugins', 'lifecycle', 'app.ts'],
  /** Command-line tools beside the process (backup, migrate): what main.ts may import but the HTTP layer. */
  tools: [...BELOW_SERVICE, 'service'],
};
/** The layers that may import Fastify (the HTTP layer, and the shutdown that drains its server). */
const FASTIFY_LAYERS = ['api', 'plugins', 'app.ts', 'main.ts', 'lifecycle'];

const layerOf = (file: string): string => file.split('/')[0];

/** The project files (relative to src/, `.ts`) that one file imports, and its package imports. */
function importsOf(file: string, text: string): { local: string[]; packages: string[] } {
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  return {
    local: specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(SRC, dirname(file), s)).replace(/\.js$/, '.ts')),
    packages: specs.filter((s) => !s.startsWith('.')),
  };
}

/** The imports of one file (path relative to src/) that run back up or sideways across layers; empty when none do. */
export function upwardImports(file: string, text: string): string[] {
  const layer = layerOf(file);
  const allowed = MAY_IMPORT[layer];
  if (!allowed) return [`${file} is in no layer (add ${layer} to MAY_IMPORT)`];
  const { local, packages } = importsOf(file, text);
  const bad = local.filter((t) => layerOf(t) !== layer && !allowed.includes(layerOf(t)));
  if (!FASTIFY_LAYERS.includes(layer)) bad.push(...packages.filter((p) => HTTP_PACKAGES.test(p)));
  return bad.map((t) => `${file} imports ${t}`);
}

/** The import cycles of a graph (file -> the files it imports): its strongly connected components of more than one file, and self-imports. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next += 1; stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) out.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const SOURCES = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const read = (f: string): string => readFileSync(join(SRC, f), 'utf8');

describe('short files', () => {
  it('no source file of src/ (TypeScript or Lua) is over 300 lines', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|lua)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['store/lua/reward.lua', 'app.ts']));
    const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    expect(files.map((f) => `${f}: ${lineCount(read(f))} lines`).filter((_, i) => lineCount(read(files[i])) > 300)).toEqual([]);
  });
});

describe('the layers', () => {
  it('every file of src/ imports only from its own layer and the layers below it, and only the HTTP layer imports Fastify', () => {
    expect(SOURCES).toEqual(expect.arrayContaining(['service/reward.ts', 'store/store.ts', 'bandit/thompson.ts', 'contract/domain.ts', 'app.ts']));
    expect(SOURCES.flatMap((f) => upwardImports(f, read(f)))).toEqual([]);
  });

  it('no file of src/ is on an import cycle (type-only imports included)', () => {
    const graph = new Map(SOURCES.map((f) => [f, importsOf(f, read(f)).local]));
    expect(importCycles(graph)).toEqual([]);
  });

  it('flags an arrow that runs back up, in every form', () => {
    expect(upwardImports('service/x.ts', "import { CreateExperimentSchema } from '../api/schemas.js';")).toHaveLength(1);
    expect(upwardImports('service/x.ts', "import type { X } from '../plugins/auth.js';")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "export { y } from '../app.js';")).toHaveLength(1);
    expect(upwardImports('bandit/x.ts', "const m = await import('../api/responses.js');")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "import type { FastifyInstance } from 'fastify';")).toHaveLength(1);
    expect(upwardImports('contract/x.ts', "import { select } from '../service/select.js';")).toHaveLength(1);
    // The arrows that ran up before the domain types moved to contract/.
    expect(upwardImports('contract/x.ts', "import { DEFAULT_EVENT_RETENTION_SECONDS } from '../store/event-log.js';")).toHaveLength(1);
    expect(upwardImports('contract/x.ts', "import { POLICY_NAMES } from '../bandit/policy-names.js';")).toHaveLength(1);
    expect(upwardImports('bandit/x.ts', "import type { Guardrails } from '../store/store.js';")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "import { sha256Into } from '../assignment/hmac-sha256.js';")).toHaveLength(1);
    expect(upwardImports('store/x.ts', "import type { Config } from '../config.js';")).toHaveLength(1);
    expect(upwardImports('assignment/x.ts', "import { POPULATIONS } from '../store/population.js';")).toHaveLength(1);
    expect(upwardImports('client/x.ts', "import type { R } from '../api/responses.js';")).toHaveLength(1);
    expect(upwardImports('api/x.ts', "import { auth } from '../plugins/auth.js';")).toHaveLength(1);
    expect(upwardImports('nowhere/x.ts', "import { z } from 'zod';")).toHaveLength(1);
    expect(upwardImports('observability/x.ts', "import type { ServiceContext } from '../service/context.js';")).toHaveLength(1);
    expect(upwardImports('service/x.ts', "import { HistoryWriter } from '../jobs/history-writer.js';")).toHaveLength(1);
    expect(upwardImports('jobs/x.ts', "import type { FastifyInstance } from 'fastify';")).toHaveLength(1);
    // Downward and sideways arrows are fine.
    expect(upwardImports('service/x.ts', "import { z } from 'zod'; import { A } from '../contract/experiment.js'; import { B } from './select.js';")).toEqual([]);
    expect(upwardImports('service/x.ts', "import { apiKeys } from './api-key-material.js';")).toEqual([]);
    expect(upwardImports('store/x.ts', "import type { Tally } from '../contract/domain.js'; import { checkGuardrails } from '../bandit/guardrails.js';")).toEqual([]);
    expect(upwardImports('main.ts', "import { buildApp } from './app.js';")).toEqual([]);
  });

  it('finds a cycle, however long, and a self-import', () => {
    const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
    expect(importCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(importCycles(g({ a: ['a'], b: [] }))).toEqual([['a']]);
    expect(importCycles(g({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });
});
