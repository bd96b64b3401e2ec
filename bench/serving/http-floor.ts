/**
 * The floor of bench/serving/http.ts (FLOOR=const,token): copies of dist/ whose /select and /reward
 * handlers do less of the service's work, measured in the same rounds as the real build, so the
 * cost of each piece is a measured difference, not an estimate:
 *
 *   const   the handlers answer the sample answer as a constant (what is left: Fastify with the
 *           service's plugins, hooks, zod validation, logger and error handler)
 *   token   const, plus the decision id's HMAC: /select signs a fresh id, /reward verifies the id it got
 *
 * The full build minus `token` is the rest of the service's work (snapshot, bandit, store); `const`
 * minus the bare route is the HTTP layer's own. Made by rewriting the two handler lines of
 * dist/api/decisions.js; if those lines changed, this throws instead of measuring something else.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './http-processes.js';

export const FLOORS = ['const', 'token'] as const;
export type Floor = (typeof FLOORS)[number];

// The handler lines, whatever arguments they pass (a regular expression: /select's options change with the contract).
const SELECT_CALL = /const res = await select\(ctx, [^\n]*?\);/;
const REWARD_CALL = /const res = await reward\(ctx, [^\n]*?\);/;

/** The two handler lines of a floor; FLOOR_SELECT and FLOOR_REWARD are the sample answers, parsed once at module load. */
function handlers(floor: Floor): [string, string] {
  if (floor === 'const') return ['const res = FLOOR_SELECT;', 'const res = FLOOR_REWARD;'];
  return [
    "const res = { ...FLOOR_SELECT, decisionId: ctx.signer.sign({ e: req.body.experimentId, a: 'arm-1', p: 'b', t: Math.floor(Date.now() / 1000), q: 0.1 }) };",
    "if (!ctx.signer.verify(req.body.decisionId)) throw new Error('floor: a decision id that does not verify'); const res = FLOOR_REWARD;",
  ];
}

/** Writes node_modules/.cache/floor-<name> for each floor (a copy of dist/ with rewritten handlers); returns their directories. */
export function floorBuilds(floors: Floor[], selectAnswer: string, rewardAnswer: string): string[] {
  return floors.map((floor) => {
    const dir = join(ROOT, 'node_modules/.cache', `floor-${floor}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(ROOT, 'dist'), dir, { recursive: true });
    const file = join(dir, 'api/decisions.js');
    const src = readFileSync(file, 'utf8');
    if (!SELECT_CALL.test(src) || !REWARD_CALL.test(src)) throw new Error(`floor ${floor}: dist/api/decisions.js no longer has the handler lines this rewrites`);
    const [sel, rew] = handlers(floor);
    const out = src.replace(SELECT_CALL, () => sel).replace(REWARD_CALL, () => rew);
    writeFileSync(file, `const FLOOR_SELECT = JSON.parse(${JSON.stringify(selectAnswer)});\nconst FLOOR_REWARD = JSON.parse(${JSON.stringify(rewardAnswer)});\n${out}`);
    return dir;
  });
}
