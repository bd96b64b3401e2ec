/** The names of the registered policies (bandit/policies.ts): the request schema's enum and the config's type. No imports, so the API schemas stay light. */
export const POLICY_NAMES = ['thompson', 'ucb', 'fixed', 'linear-thompson', 'linear-ucb'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
