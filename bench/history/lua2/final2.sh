#!/bin/bash
cd /work/wt/lua2
for i in 1 2 3; do
  for b in 100 1; do
    echo "== signals-cost BATCH=$b $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    REDIS_PORT=6404 BATCH=$b N=2000 REPS=3 timeout 400 npx tsx bench/signals-cost.ts
  done
done
echo "== lua-fixed-cost $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
REDIS_PORT=6405 N=20000 REPS=3 timeout 300 npx tsx bench/lua-fixed-cost.ts
echo "== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
