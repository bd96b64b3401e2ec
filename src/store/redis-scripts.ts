/**
 * The Lua scripts of the Redis store, loaded in one place: each script's text is lua/lib.lua (the
 * shared helpers) after the CODE table written from SCRIPT_CODES, then the libraries it needs, then
 * its own file. ioredis defines one command per script (EVALSHA, falling back to EVAL). Each
 * script takes its KEYS and at most a few ARGV, the first one packed (redis-script-args.ts).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** A script of `lua/` beside this module (`npm run build` copies them into dist/store/lua). */
export const readLua = (file: string): string => readFileSync(new URL(`./lua/${file}.lua`, import.meta.url), 'utf8');

/**
 * The scripts' failure codes (each script's header says which it answers) and their meaning to the
 * store: the only table of them. Lua reads them as CODE.<name>.
 */
export const SCRIPT_CODES = {
  /** No such experiment (or arm). */
  not_found: -1,
  /** The experiment's version is not the caller's (or the chosen arm is disabled): reload and retry. */
  stale: -2,
  /** This decision (or decision and metric) was recorded already. */
  duplicate: -3,
  /** The experiment id is taken. */
  exists: -4,
  /** The decision's default reward was applied already, or the reward came after it was due. */
  expired: -5,
  /** The user's record is in the bandit population: choose again there. */
  moved_to_bandit: -6,
  /** The user's record is in the holdback: choose again there. */
  moved_to_holdback: -7,
} as const;
export type ScriptFailure = keyof typeof SCRIPT_CODES;
const BY_CODE = new Map<number, ScriptFailure>(Object.entries(SCRIPT_CODES).map(([k, v]) => [v, k as ScriptFailure]));

/** The failure a script answered, or null for any other reply (a negative code it does not know is a bug). */
export function failure(reply: unknown): ScriptFailure | null {
  if (typeof reply !== 'number' || reply >= 0) return null;
  const kind = BY_CODE.get(reply);
  if (!kind) throw new Error(`Redis script answered the unknown code ${reply}`);
  return kind;
}

/** The CODE table and lib.lua: what every script starts with. */
export const prelude = (): string =>
  `local CODE = {${Object.entries(SCRIPT_CODES).map(([k, v]) => `${k} = ${v}`).join(', ')}}\n${readLua('lib')}`;

/**
 * The reward step: reward.lua with its libraries (change detection, issue 24: glr.lua and changes.lua;
 * metrics.lua, issue 22; linear.lua, issue 23; the guardrail window and engine sums), its body wrapped
 * in a function so that a change it detected is returned with its reply, whichever of its returns it
 * took: {'~change', detectedAt, at, reply}.
 */
export const rewardScript = (): string => [prelude(), readLua('glr'), readLua('changes'), readLua('metrics'), readLua('linear'),
  readLua('engine-sums'), readLua('guardrail-window'),
  'local function reward_step()', readLua('reward'), 'end',
  'local reply = reward_step()',
  "if change_found then return {'~change', change_found[1], change_found[2], reply} end",
  'return reply'].join('\n');

/** ioredis command name -> [the script's text, number of keys]. */
const SCRIPTS = {
  banditCreateExperiment: [() => script('create-experiment'), 1],
  banditUpdateExperiment: [() => script('update-experiment'), 1],
  banditSetArmState: [() => script('set-arm-state'), 1],
  banditAssign: [() => script('assign'), 7],
  banditReward: [rewardScript, 12],
  banditSignal: [() => script('signal', 'metrics'), 5],
  banditSecret: [() => script('get-or-create-secret'), 1],
  banditHistoryPoint: [() => script('history-point'), 1],
  banditApiKeyChange: [() => script('api-key-change'), 3],
  banditClaimLayer: [() => script('claim-layer'), 1],
} as const;
export type ScriptName = keyof typeof SCRIPTS;

/** A script's text: the prelude, the named libraries, then the script. */
export function script(file: string, ...libraries: string[]): string {
  return [prelude(), ...libraries.map(readLua), readLua(file)].join('\n');
}

/** Defines every script as a command of the client. */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, [lua, numberOfKeys]] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys, lua: lua() });
}
