/**
 * A linear policy's view of a request (issue 23): the declared features read from `/select`'s
 * `context` (bandit/features.ts), checked before anything is decided, and carried in the decision
 * id of a bandit decision so that its reward updates the model with them.
 */
import { compactContext } from '../bandit/features.js';
import type { ExperimentConfig } from '../contract/domain.js';
import { invalid } from '../errors.js';
import type { Population } from '../contract/population.js';
import type { SelectExtras } from './decision-log.js';

/**
 * Without a `context` (OFREP: the evaluation context is `attributes`), a contextual experiment reads
 * its declared features from the attributes; the context it logs (and its decision id is re-signed
 * from) is then those features alone.
 */
export function withFeatureContext(config: Pick<ExperimentConfig, 'features'>, extras: SelectExtras): SelectExtras {
  if (!config.features || extras.context !== undefined || !extras.attributes) return extras;
  const attrs = extras.attributes;
  const context = Object.fromEntries(Object.keys(config.features).filter((n) => Object.hasOwn(attrs, n)).map((n) => [n, attrs[n]]));
  return { ...extras, context };
}

/**
 * The compact features of a request (undefined: the experiment declares none). A numeric feature
 * that is not a finite number is a 400 naming `context.<feature>`; a missing feature, or a
 * categorical value not listed, is a level of its own (contract/features.ts).
 */
export function requestFeatures(config: Pick<ExperimentConfig, 'features'>, context: Readonly<Record<string, unknown>> | undefined): number[] | undefined {
  if (!config.features) return undefined;
  const { values, issues } = compactContext(config.features, context);
  if (issues.length > 0) throw invalid('invalid_request', issues);
  return values;
}

/** What the decision id carries: the features of a bandit decision only (holdback and excluded ones teach the model nothing). */
export const tokenFeatures = (population: Population, features: number[] | undefined): { x: number[] } | undefined =>
  features !== undefined && population === 'b' ? { x: features } : undefined;

/** The features a logged decision was made with (its stored context), for re-signing its id (events.ts). */
export function loggedFeatures(config: Pick<ExperimentConfig, 'features'>, population: Population, contextJson: string | undefined): { x: number[] } | undefined {
  if (!config.features || population !== 'b') return undefined;
  const context = contextJson === undefined ? undefined : (JSON.parse(contextJson) as Record<string, unknown>);
  return { x: compactContext(config.features, context).values };
}
