#!/bin/sh
# Measures gitops validate on a large synthetic estate (500 accounts, 2,000
# VPCs, 20,000 transit gateway routes): the Go benchmark with allocations,
# then wall time and peak RSS of the built binary.
# Usage: tools/bench.sh [accounts vpcs routes]   (from the repository root)
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
