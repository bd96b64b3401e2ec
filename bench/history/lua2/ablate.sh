#!/bin/bash
# One hold of /tmp/heavy.lock: the library fixed cost, then reward.lua ablations (alternated, 2 rounds).
cd /work/wt/lua2
trap 'git checkout -q src/store/lua/reward.lua' EXIT
R=src/store/lua/reward.lua
v() {
  git checkout -q $R
  case $1 in
    V1-no-unit-states) sed -i 's/local stateFields = metricSpec and metricStateFields(metricSpec, pop, A.user, arm) or {}/local stateFields = {}/; s/recordMetrics(metricSpec, KEYS\[10\], arm, A.pop, userHash)/recordMetrics(metricSpec, KEYS[10], arm, A.pop, nil)/' $R ;;
    V2-no-record) sed -i 's/^if metricSpec then metricsCounted, metricBreachFound = recordMetrics/if false then metricsCounted, metricBreachFound = recordMetrics/' $R ;;
    V3-no-claim-no-record) sed -i 's/^if metricSpec then metricsCounted, metricBreachFound = recordMetrics/if false then metricsCounted, metricBreachFound = recordMetrics/; s/^if metricSpec then claimed = claimMetrics(dedupe, A.key, metricSpec, true) else/if false then else/' $R ;;
  esac
  echo "== $1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) diff-lines $(git diff --numstat $R | cut -f1)"
  REDIS_PORT=6404 BATCH=${BATCH:-1} N=${N:-2000} REPS=${REPS:-3} timeout 400 npx tsx bench/signals-cost.ts
  echo "   end load $(cut -d' ' -f1-3 /proc/loadavg)"
}
for round in 1 2; do
  echo "== libs $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  REDIS_PORT=6405 N=20000 REPS=3 timeout 300 npx tsx bench/lua-fixed-cost.ts
  for x in V0-full V1-no-unit-states V2-no-record V3-no-claim-no-record; do v $x; done
done
