// Worker threads do not inherit tsx's module hooks (tsx issue #354): register them, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
