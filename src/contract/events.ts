/** The zod schemas of the event log routes: export query, the exported events, evaluate's body and answer. */
import { z } from 'zod';
import { POLICY_NAMES } from './policy-names.js';
import { POPULATION_NAME_LIST } from './population.js';
import { EXCLUDED_BY } from './targeting.js';

export const EventsQuery = z.strictObject({
  after: z.string().min(1).max(40).optional().describe('An eventId: return the events that follow it (the cursor of the next page).'),
  limit: z.coerce.number().int().min(1).max(10_000_000).optional().describe('At most this many lines (default: every event after the cursor).'),
  type: z.enum(['decision', 'reward', 'signal']).optional().describe('Only events of this type (NDJSON only).'),
  format: z.enum(['ndjson', 'dsjson']).default('ndjson').describe('ndjson: every event; dsjson: Vowpal Wabbit DSJSON, one line per rewarded bandit decision.'),
});

const population = z.enum(POPULATION_NAME_LIST);
const common = {
  eventId: z.string().describe('Opaque, increasing cursor (pass it as `after`).'),
  ts: z.string().describe('When the event was appended (ISO 8601).'),
  decisionId: z.string().nullable().describe('The decisionId /select answered.'),
  experimentId: z.string(),
  armId: z.string(),
  population,
  propensity: z.number(),
};

export const DecisionEventSchema = z.object({
  type: z.literal('decision'),
  ...common,
  experimentVersion: z.number().int(),
  firstExposure: z.boolean().describe("The user's first decision in the experiment (always true without a userId)."),
  policy: z.enum(POLICY_NAMES).describe("The experiment's policy (the population says whether it chose)."),
  userId: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable().describe('The context sent to /select.'),
  eligibleArms: z.array(z.string()).describe('The arms not disabled at this version.'),
  excludedBy: z.enum(EXCLUDED_BY).optional().describe('Why an excluded decision was excluded (issue 21).'),
  traceparent: z.string().nullable().describe('The W3C traceparent header of the /select request.'),
  propensities: z.record(z.string(), z.number()).optional().describe('The logging policy\'s probability of every eligible arm at this decision '
    + '(3 significant digits), on bandit decisions that drew their arm (not a sticky repeat) since it is recorded: for adaptively weighted off-policy estimates.'),
  propensityDraws: z.number().optional().describe('linear-thompson bandit decisions (issue 23): the propensities, given this context, are estimated by this many simulated draws '
    + 'plus the decision\'s own (unbiased; the chosen arm\'s is at least 1 / (draws + 1)).'),
});

export const RewardEventSchema = z.object({
  type: z.literal('reward'),
  ...common,
  reward: z.number().nullable(),
  latencyMs: z.number().nullable(),
  cost: z.number().nullable(),
  error: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  decisionTs: z.string().describe('When the decision was made (ISO 8601, seconds).'),
  metrics: z.record(z.string(), z.number()).optional().describe('The declared metrics counted with this reward (issue 22).'),
});

/** A declared metric's value for a decision, sent to POST /signals (issue 22). */
export const SignalEventSchema = z.object({
  type: z.literal('signal'),
  eventId: common.eventId, ts: common.ts, decisionId: common.decisionId, experimentId: common.experimentId, armId: common.armId, population,
  name: z.string(),
  value: z.number(),
});

export const EventLine = z.union([DecisionEventSchema, RewardEventSchema, SignalEventSchema])
  .describe('One line of the application/x-ndjson answer (format=dsjson: one DSJSON object per line instead).');

export const EvaluateSchema = z.strictObject({
  policy: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('arm'), armId: z.string().min(1).max(64) }).describe('Always this arm.'),
    z.strictObject({ kind: z.literal('split'), weights: z.record(z.string().min(1).max(64), z.number().min(0).max(1e6)) })
      .describe('Each arm with its share of the weights.'),
    z.strictObject({ kind: z.literal('greedy') }).describe('Always the enabled arm with the highest posterior mean now.'),
  ]),
});

const shown = z.object({
  value: z.number().nullable(),
  interval95: z.tuple([z.number(), z.number()]).nullable(),
  standardError: z.number().nullable(),
});

export const EvaluateResponse = z.object({
  policy: z.object({ kind: z.enum(['arm', 'split', 'greedy']), probabilities: z.record(z.string(), z.number()) }).loose(),
  decisions: z.number().int().describe('Units used: rewarded first exposures of the bandit population.'),
  effectiveSampleSize: z.number().nullable(),
  logged: shown.describe("The logging policy's own mean reward over the same units."),
  estimates: z.object({ ips: shown, snips: shown, dr: shown }),
  clipping: z.object({ method: z.string(), threshold: z.number().nullable(), clipped: z.number().int() }),
  weighting: z.object({
    method: z.enum(['adaptive', 'uniform', 'none']),
    description: z.string(),
  }).describe('adaptive: the units carry the logging policy\'s propensity of every arm, and the estimators weight them by h_t = sqrt(e_t) '
    + '(Hadad et al. 2021), valid under adaptive logging; uniform: plain averages, for decisions logged without that vector; none: no estimate.'),
  unit: z.string(),
  left: z.object({
    laterExposures: z.number().int(), unrewarded: z.number().int(),
    withoutPropensities: z.number().int().describe('Rewarded first exposures left out of adaptive weighting because their event has no propensity vector (logged before it was recorded).'),
  }).describe('Bandit decisions not used, and why.'),
  reason: z.string().nullable().describe('Why the estimates are null (e.g. UCB leaves no overlap); null when they are given.'),
  warning: z.string().nullable().describe('Set when the estimates are given but the effective sample size (overall, or of an arm the target plays) is too small to trust their intervals.'),
  arms: z.array(z.object({
    armId: z.string(),
    targetProbability: z.number(),
    units: z.number().int().describe('Units in which the logging policy chose the arm.'),
    effectiveSampleSize: z.number().describe('(sum w)^2 / sum w^2 of those units\' importance weights pi(arm) / e(arm) (Kong 1992).'),
    lowEffectiveSampleSize: z.boolean().describe('true below minEffectiveSampleSize: the estimate rests on too few effective units for a normal interval.'),
  })).describe('Each arm the target plays, with what the log says about it. Empty when there is no estimate.'),
  lowEffectiveSampleSize: z.boolean().describe('true when the overall effective sample size or that of an arm the target plays is below minEffectiveSampleSize.'),
  minEffectiveSampleSize: z.number().describe('The threshold (100; bench/validity/ope-coverage.ts).'),
});
