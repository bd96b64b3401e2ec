#!/bin/bash
cd /work/wt/lua2
for i in 1 2 3; do
  echo "== signals-cost $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  REDIS_PORT=6404 N=2000 REPS=3 timeout 400 npx tsx bench/signals-cost.ts
  echo "== lua-fixed-cost $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  REDIS_PORT=6405 N=20000 REPS=3 timeout 300 npx tsx bench/lua-fixed-cost.ts
done
echo "== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
