/**
 * The runner shared by the three bench tools (bench/serving/run.ts, bench/memory/run.ts,
 * bench/validity/run.ts). A tool is a list of named parts; each part is one script run in a
 * child process of its own (`node [flags] --import tsx <script> [args]`, from the repository's
 * root, with this process's environment plus the part's own settings), so that one part's heap,
 * workers or servers never weigh on the next.
 *
 *   npm run bench:<tool>                      the list of parts (same as --help)
 *   npm run bench:<tool> -- <part> [args]     one part; args go to its script
 *   npm run bench:<tool> -- all               every part marked `inAll`, one after the other
 *   npm run bench:<tool> -- --smoke [part]    every part with smoke settings (or one) at its smallest settings: shows that
 *                                             it starts and prints, measures nothing worth recording
 *
 * Settings are environment variables (N, REPS, SCALE, ...), listed per part in `--help`; the ones
 * set in the environment win over a part's defaults. Heavy parts say so: run them under
 * `flock /tmp/heavy.lock` on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Part {
  name: string;
  /** The script, relative to bench/. */
  script: string;
  /** One line: what it measures, and for which issue. */
  about: string;
  /** Its settings (environment variables or arguments) with their defaults, for --help. */
  settings?: string;
  /** Environment the part always runs with (e.g. PART for the regret tables); the caller's wins. */
  env?: Record<string, string>;
  args?: string[];
  /** Flags for node, e.g. --expose-gc. The default runtime is `node --import tsx`. */
  node?: string[];
  /** Runs python3 instead of node (an independent reference). */
  python?: boolean;
  /** The smallest settings, for --smoke. */
  smoke?: { env?: Record<string, string>; args?: string[] };
  /** Minutes of CPU or more at its default size: take /tmp/heavy.lock. */
  heavy?: boolean;
  /** Left out of `all` (needs an input, or is a reference run by another part). */
  notInAll?: boolean;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function help(tool: string, parts: Part[]): void {
  console.log(`npm run bench:${tool} -- <part> [args]   (all: every part in turn; --smoke [part]: smallest settings)\n`);
  const width = Math.max(...parts.map((p) => p.name.length));
  for (const p of parts) {
    console.log(`  ${p.name.padEnd(width)}  ${p.about}${p.heavy ? ' [heavy: flock /tmp/heavy.lock]' : ''}`);
    console.log(`  ${''.padEnd(width)}  bench/${p.script}${p.settings ? `; ${p.settings}` : ''}`);
  }
}

function runPart(p: Part, smoke: boolean, extra: string[], index: string): number {
  const env = { ...p.env, ...(smoke ? p.smoke?.env : {}) };
  for (const k of Object.keys(env)) if (process.env[k] !== undefined) delete env[k];
  const args = [...(extra.length ? extra : smoke ? (p.smoke?.args ?? p.args ?? []) : (p.args ?? []))];
  const [cmd, argv] = p.python ? ['python3', [`bench/${p.script}`, ...args]]
    : [process.execPath, [...(p.node ?? []), '--import', 'tsx', `bench/${p.script}`, ...args]];
  const shown = `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${p.python ? 'python3' : 'node'} ${argv.join(' ')}`;
  console.log(`\n${index} ${p.name}: ${shown}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  const code = r.status ?? 1;
  console.log(`${index} ${p.name}: ${code === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return code;
}

/** Parses argv and runs the parts asked for; exits non-zero when one failed. */
export function main(tool: string, parts: Part[], argv = process.argv.slice(2)): void {
  const smoke = argv[0] === '--smoke';
  const [name, ...extra] = smoke ? argv.slice(1) : argv;
  if (!smoke && (!name || name === '--help' || name === '-h')) return help(tool, parts);
  const chosen = !name ? parts.filter((p) => p.smoke) : name === 'all' ? parts.filter((p) => !p.notInAll) : parts.filter((p) => p.name === name);
  if (chosen.length === 0) {
    console.error(`bench:${tool}: no part "${name}"\n`);
    help(tool, parts);
    process.exit(2);
  }
  const failed = chosen.filter((p, i) => runPart(p, smoke, extra, `[${i + 1}/${chosen.length}]`) !== 0);
  if (chosen.length > 1) console.log(`\nbench:${tool}: ${chosen.length - failed.length} of ${chosen.length} parts done${failed.length ? `; failed: ${failed.map((p) => p.name).join(', ')}` : ''}`);
  if (failed.length) process.exit(1);
}
