/** Writes openapi/openapi.json from the app's own schemas: `npm run openapi`. A test fails when the two differ. */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { MemoryStore } from '../src/store/memory-store.js';

export async function currentSpec(): Promise<unknown> {
  const app = await buildApp({ store: new MemoryStore(), secret: 'spec-only-secret-0123' });
  await app.ready();
  const spec = app.swagger();
  await app.close();
  return spec;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../openapi/openapi.json', import.meta.url), JSON.stringify(await currentSpec(), null, 2) + '\n');
  console.log('wrote openapi/openapi.json');
}
