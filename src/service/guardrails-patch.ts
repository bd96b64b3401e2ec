/**
 * PATCH merges guardrails field by field: a field left out keeps its value, `null` removes that
 * limit, and the result is checked as a whole (e.g. windowSize >= minSamples). Two concurrent
 * PATCHes of guardrails each merge into the state they read; the later write wins.
 */
import { GuardrailsSchema, type PatchGuardrailsBody } from '../contract/experiment.js';
import { invalid } from '../errors.js';
import { toIssues } from '../contract/issues.js';
import type { Guardrails } from '../contract/domain.js';

export function mergeGuardrails(current: Guardrails | null, patch: PatchGuardrailsBody): Guardrails {
  const merged: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  const parsed = GuardrailsSchema.safeParse(merged);
  if (!parsed.success) {
    throw invalid('invalid_config', toIssues(parsed.error.issues.map((i) => ({ ...i, path: ['guardrails', ...i.path] })), { guardrails: merged }));
  }
  return parsed.data;
}
