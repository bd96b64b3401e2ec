/** The case table as Markdown (docs/targeting.md embeds it; condition.test.ts checks that it is current). */
import { CASES, INVALID } from './condition-cases.js';

const code = (v: unknown): string => `\`${JSON.stringify(v).replaceAll('|', '\\|')}\``;

export function conditionTable(): string {
  const rows = CASES.map(([what, cond, ctx, match]) => `| ${what} | ${code(cond)} | ${code(ctx)} | ${match ? 'match' : 'no match'} |`);
  const bad = INVALID.map(([cond, path]) => `| ${code(cond)} | \`targeting.${path}\` |`);
  return ['| case | condition | context | result |', '| --- | --- | --- | --- |', ...rows, '',
    'Refused at create and PATCH (400 `invalid_config`, `details.issues[0].path` = the path):', '',
    '| condition | path named |', '| --- | --- |', ...bad].join('\n');
}
