#!/bin/sh
# Measures gitops validate on a large synthetic estate (500 accounts, 2,000
# VPCs, 20,000 transit gateway routes): the Go benchmark with allocations,
# then wall time and peak RSS of the built binary.
# Usage: tools/bench.sh [accounts vpcs routes]   (from the repository root)
#
# Notes (2026-11-29, 2 cores shared with ~20 other jobs: wall times are
# inflated; CPU seconds and memory are the figures to compare).
#
# 2,000 accounts / 8,000 VPCs / 80,000 routes, 4,016 files, 29 MB:
# 3.3 s user CPU, ~310 MiB peak RSS whole process (same as before the
# loader's pre-scan: 3.2 s, 300 MiB). Profile of BenchmarkLoadValidate at
# that size (go test -bench LoadValidate/2000 -cpuprofile), top entries by
# cumulative time:
#   39 %  load.LoadEstate (reading, pre-scan 0.5 %, parsing, decoding)
#   29 %    load.parseDocument: goccy/go-yaml lexer 10 %, parser 19 %
#    8 %    load decoder (positions 3.5 %)
#   28 %  validate.checkPlanLimits → stacks.Build (plans the estate)
#   21 %    stacks.planTransitGateway; 14 % stacks.PeerRoutes/Summarise
#   18 %  runtime.mallocgc; ~12 % GC mark workers
# After (validate-perf branch; same machine, load average ~9, four runs
# each, old and new binaries interleaved):
#   estate (YAML bytes)          before                      after
#   500/2,000/20,000 (2 MB)      0.65 s CPU, 135 MiB         0.65 s CPU, 94 MiB
#   2,000/8,000/80,000 (8 MB)    2.8-3.0 s CPU, 311-326 MiB  2.15-2.4 s CPU, 236 MiB
#   4,000/16,000/160,000 (16 MB) 6.2 s CPU, 545 MiB          4.6 s CPU, 427 MiB
# (CPU = user + sys, whole process). What changed, by the profile:
#   - stacks' prefix sets look up only the prefix lengths they hold: the
#     map lookups of prefixSet.overlapping were 13 % of all CPU (Summarise
#     15 %); the plan fell from 28 % to ~14 %.
#   - positions store line and column only (estate.Doc.Record was the
#     largest allocator, 6.5 % of bytes); ~40 MiB less live heap.
#   - the planner's zones looked networks up by scanning all of them per
#     stack (quadratic); now an index by account and region.
#   - validate sets its GC target from the estate's size (cli tuneGC):
#     collect at 4x the live heap, by 32 MiB + 24 bytes per YAML byte.
#   - compile reuses the plan validate's limit checks built (it planned
#     twice).
# Profile after the first change (go test -bench, estate generation 18 %
# of it), by cumulative time: load 45 % (goccy/go-yaml parse 35 %:
# lexer 15 %, parser 20 %; decoder 9 %), stacks.Build 14 %, mallocgc 22 %,
# GC mark ~10 %. Left: the YAML parser itself (its allocations are most
# of the garbage), which the 1.5 s target needs halved.
# The YAML parser allocates ~240 bytes per input byte, ~2 KB per value; a
# block mapping's keys cost it quadratically (its parseMap recurses and
# appends per key), hence the pre-scan's limits.
#
# Hostile inputs (gitops validate on the example estate plus one file;
# before = main at a18affd, after = this loader):
#   input                          before                after
#   [[[… / {a:{a:… / - - - … 10k   0.2-0.3 s, 190-250 MB  0.05 s, 22 MB (yaml-size at the 65th level)
#   same, 20k deep                 0.4-0.6 s, 670-900 MB  0.04 s, 23 MB
#   same, 100k deep                12-22 s, 14.7-19.7 GiB 0.07 s, 24 MB
#   50 MB list under unknown key   43 s, 4.4 GB           0.2 s, 43 MB (refused unread)
#   50 MB of comments              1.4 s, 590 MB          0.2 s, 43 MB
#   100,000 unknown keys           > 60 s (killed), 450 MB 0.2 s, 28 MB (mapping > 200 keys)
# and the worst shapes the limits let through, in two files at once (both
# workers busy): 49,500-item flow list 0.9 s / 120 MB; block list 0.9 s /
# 120 MB; flow mapping 2.2 s / 170 MB; 245 mappings of 199 keys 3.3 s /
# 230 MB; 49 flow mappings of 999 unknown keys 2.1 s / 200 MB (wall, loaded
# machine); a 2 MiB scalar 0.8 s / 160 MB.
set -eu

accounts=${1:-500}
vpcs=${2:-2000}
routes=${3:-20000}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/gitops" ./tools/cmd/gitops
go build -o "$work/synthetic-estate" ./tools/cmd/synthetic-estate
"$work/synthetic-estate" -dir "$work/estate" -accounts "$accounts" -vpcs "$vpcs" -routes "$routes"
echo "estate: $accounts accounts, $vpcs VPCs, $routes routes;" \
	"$(find "$work/estate" -name '*.yaml' | wc -l) files, $(du -sh "$work/estate" | cut -f1)"

echo
echo "== go test -bench BenchmarkLoadValidate -benchmem"
go test -run '^$' -bench BenchmarkLoadValidate -benchmem -benchtime 5x ./tools/internal/synthetic

echo
echo "== gitops validate (GOMAXPROCS=${GOMAXPROCS:-all cores})"
for i in 1 2 3; do
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "run $i: %e s wall, %U s user, %S s sys, %M KiB peak RSS, exit %x" \
			"$work/gitops" validate --root "$work/estate" >"$work/out" 2>"$work/time" || true
		tail -n 1 "$work/time"
	else
		start=$(date +%s%N)
		"$work/gitops" validate --root "$work/estate" >"$work/out" || true
		echo "run $i: $((($(date +%s%N) - start) / 1000000)) ms wall (no /usr/bin/time for peak RSS)"
	fi
done
tail -n 1 "$work/out"
