#!/bin/bash
cd /work/wt/lua2
trap 'git checkout -q src/store/lua/reward.lua src/store/lua/metrics.lua' EXIT
R=src/store/lua/reward.lua; M=src/store/lua/metrics.lua
NOREC='s/^if metricSpec then metricsCounted, metricBreachFound = recordMetrics/if false then metricsCounted, metricBreachFound = recordMetrics/'
NOSTATE='s/local stateFields = metricSpec and metricStateFields(metricSpec, pop, A.user, arm) or {}/local stateFields = {}/'
v() {
  git checkout -q $R $M
  case $1 in
    V2b-claim-only) sed -i "$NOREC; $NOSTATE" $R ;;
    V4-one-sadd-of-six) sed -i "$NOREC; $NOSTATE" $R; sed -i 's/^  local seen = redis.call(.SMISMEMBER., dedupe, unpack(members))$/  local seen = {}; for i = 1, #members do seen[i] = 0 end; redis.call("SADD", dedupe, unpack(members))/; s/^  if #fresh > 0 then redis.call(.SADD., dedupe, unpack(fresh)) end$/  -- (one SADD above)/' $M ;;
    V5-one-sadd-of-one) sed -i "$NOREC; $NOSTATE" $R; sed -i 's/^  local seen = redis.call(.SMISMEMBER., dedupe, unpack(members))$/  local seen = {}; for i = 1, #members do seen[i] = 0 end; redis.call("SADD", dedupe, members[1])/; s/^  if #fresh > 0 then redis.call(.SADD., dedupe, unpack(fresh)) end$/  -- (one SADD above)/' $M ;;
    V3-none) sed -i "$NOREC; "'s/^if metricSpec then claimed = claimMetrics(dedupe, A.key, metricSpec, true) else/if false then else/' $R ;;
  esac
  echo "== $1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) diff-lines $(git diff --numstat $R $M | awk '{s+=$1} END {print s}')"
  REDIS_PORT=6404 BATCH=100 N=2000 REPS=3 timeout 400 npx tsx bench/signals-cost.ts | sed 's/"serviceCpu.*redisCpu/"redisCpu/; s/"assignLua.*//'
}
for round in 1 2; do for x in V0 V2b-claim-only V4-one-sadd-of-six V5-one-sadd-of-one V3-none; do v $x; done; done
