/** bandit-service/client: the typed TypeScript client of the bandit decision service. */
export { BanditClient, type BanditClientOptions, type SelectOptions } from './client.js';
export { BanditApiError, BanditNetworkError, type RetryPolicy } from './http.js';
export { RewardBatcher, type RewardBatcherOptions, type RewardBatchStats } from './reward-batcher.js';
export type * from './types.js';
