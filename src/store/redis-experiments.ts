/** The Redis store's experiment records: the meta hash (config, patches, disabled arms, version) as an ExperimentState. */
import { breachReason } from '../bandit/guardrails.js';
import type { DisabledInfo, ExperimentConfig, ExperimentState } from '../contract/domain.js';
import { nullProto } from './null-proto.js';

/** The meta hash as an ExperimentState: the config with its patches laid over, disabled arms, version. */
export function decodeState(meta: Record<string, string>): ExperimentState | null {
  if (meta.config === undefined) return null;
  const config = JSON.parse(meta.config) as ExperimentConfig & Record<string, unknown>;
  const disabled = nullProto<DisabledInfo>();
  for (const [field, value] of Object.entries(meta)) {
    if (field.startsWith('p:')) config[field.slice(2)] = value === '' ? undefined : JSON.parse(value);
    else if (field.startsWith('d:')) disabled[field.slice(2)] = decodeDisabled(JSON.parse(value) as DisabledInfo);
  }
  return { config, disabled, version: Number(meta.v) };
}

/** The scripts write guardrail disables without `reason`: it is a function of the breach. */
function decodeDisabled(info: DisabledInfo): DisabledInfo {
  if (info.reason !== undefined || !info.guardrail) return info;
  return { source: info.source, reason: breachReason(info.guardrail), at: info.at, guardrail: info.guardrail };
}
