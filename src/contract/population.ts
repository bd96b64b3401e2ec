/** The populations of a decision: the one mapping of their letters (keys, tokens, Lua) to their names (API, stats). */
export const POPULATIONS = ['b', 'h', 'x'] as const;
/** `b` bandit, `h` holdback, `x` excluded: one letter because it is written into keys and tokens. */
export type Population = (typeof POPULATIONS)[number];
export const POPULATION_NAMES = { b: 'bandit', h: 'holdback', x: 'excluded' } as const satisfies Record<Population, string>;
export type PopulationName = (typeof POPULATION_NAMES)[Population];
/** The names in the letters' order, for the schemas' enums. */
export const POPULATION_NAME_LIST = POPULATIONS.map((p) => POPULATION_NAMES[p]) as [PopulationName, ...PopulationName[]];
