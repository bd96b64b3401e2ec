/** Issue 21: the dashboard's line about who is in an experiment (web/targeting.js), and that the page serves it. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript served to the browser, without types
import { whoIsIn } from '../web/targeting.js';
import { useTestApp } from './helpers/use-test-app.js';
import { storeKinds } from './helpers/stores.js';

describe('the dashboard shows targeting and layer', () => {
  it('says the share of users, the layer range, traffic and targeting', () => {
    expect(whoIsIn({ trafficPercent: 50, layer: { id: 'checkout', range: [1000, 3500] }, targeting: { plan: 'pro' } }))
      .toBe('share of users 12.5% · layer checkout [1000, 3500) · traffic 50% · targeting {"plan":"pro"}');
    expect(whoIsIn({ trafficPercent: 100 })).toBe('share of users 100% · traffic 100% · no targeting');
  });

  const t = useTestApp(storeKinds[0]);
  it('the page loads it and has the place for it', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/dashboard/' });
    expect(page.body).toContain('id="exp-who"');
    const js = await t.app.inject({ method: 'GET', url: '/dashboard/targeting.js' });
    expect(js.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/dashboard/app.js' })).body).toContain("from './targeting.js'");
  });
});
