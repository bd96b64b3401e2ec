/**
 * Vowpal Wabbit's DSJSON ("decision service JSON") for contextual bandits, one line per rewarded
 * decision, as `vw --dsjson --cb_explore_adf` reads it (https://github.com/VowpalWabbit/vowpal_wabbit/wiki/DSJSON):
 *
 *   _label_cost         -reward (VW minimises cost)
 *   _label_probability  the logged propensity of the chosen arm
 *   _label_Action       the chosen action: its position in `c._multi`, 1-based
 *   _labelIndex         the same, 0-based
 *   a                   the actions (1-based positions in `c._multi`), chosen first
 *   p                   their probabilities, in `a`'s order: the chosen one's exact, the others' from the
 *                       decision's logged propensity vector (3 significant digits); only the chosen
 *                       one's when the decision has no vector (a sticky repeat, or logged before it)
 *   c                   the request's context as shared features, and `_multi`: one example per eligible arm
 */
import type { StoredDecisionEvent, StoredRewardEvent } from '../contract/event-log.js';

/** `armIds`: the experiment's arms, in the order of the decision's propensity vector. */
export function dsjsonLine(d: StoredDecisionEvent, r: StoredRewardEvent, decisionId: string | null, armIds: readonly string[]): string {
  const eligible = d.eligibleArms.includes(d.armId) ? d.eligibleArms : [d.armId, ...d.eligibleArms];
  const multi = eligible.map((id) => ({ arm: { id } }));
  const chosenAt = eligible.indexOf(d.armId);
  const actions = [chosenAt + 1, ...eligible.map((_, i) => i + 1).filter((i) => i !== chosenAt + 1)];
  return JSON.stringify({
    _label_cost: -r.reward!,
    _label_probability: d.propensity,
    _label_Action: chosenAt + 1,
    _labelIndex: chosenAt,
    Version: '1',
    EventId: decisionId ?? d.nonce,
    Timestamp: new Date(d.ts).toISOString(),
    a: actions,
    c: { ...(d.context === undefined ? {} : (JSON.parse(d.context) as Record<string, unknown>)), _multi: multi },
    p: d.propensities ? actions.map((a) => (a === chosenAt + 1 ? d.propensity : d.propensities![armIds.indexOf(eligible[a - 1])] ?? 0)) : [d.propensity],
    // An extra field (issue 22): the declared metrics counted with the reward; VW ignores fields it does not know.
    ...(r.metrics && { _metrics: r.metrics }),
  });
}
