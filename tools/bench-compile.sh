#!/bin/sh
# Measures gitops compile on a large synthetic estate (default 500 accounts,
# 2,000 VPCs, 20,000 transit gateway routes): a full compile from an empty
# template cache, a no-op compile, and a one-VPC edit, each with wall time
# CPU time (user + system, with the workers and node) and the peak of the
# summed RSS of gitops, its synth workers and their node processes (sampled
# every 0.2 s). Needs GNU time (/usr/bin/time) and bc.
# Usage: tools/bench-compile.sh [accounts vpcs routes]   (from the repository root)
set -eu

accounts=${1:-500}
vpcs=${2:-2000}
routes=${3:-20000}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GITOPS_CACHE="$work/cache"

go build -o "$work/bin/" ./tools/cmd/gitops ./tools/cmd/gitops-synth ./tools/cmd/synthetic-estate
"$work/bin/synthetic-estate" -dir "$work/estate" -accounts "$accounts" -vpcs "$vpcs" -routes "$routes"

# tree_rss PID: the summed RSS (KiB) of PID and all its descendants.
tree_rss() {
	ps -eo pid=,ppid=,rss= | awk -v root="$1" '
		{ parent[$1] = $2; rss[$1] = $3 }
		END {
			for (p in rss) {
				q = p
				while (q != "" && q != 0 && q != root) q = parent[q]
				if (q == root) sum += rss[p]
			}
			print sum + 0
		}'
}

measure() {
	# A compile's early synth worker outlives a compile that had no job
	# for it by a fraction of a second: let it go first.
	sleep 1
	label=$1
	shift
	start=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >"$work/out" 2>&1 &
	pid=$!
	peak=0
	while kill -0 "$pid" 2>/dev/null; do
		now=$(tree_rss "$pid")
		[ "$now" -gt "$peak" ] && peak=$now
		sleep 0.2
	done
	rc=0
	wait "$pid" || rc=$?
	end=$(date +%s.%N)
	cpu=$(awk '{print $1 + $2}' "$work/cpu")
	printf '%s: %.1f s wall, %.1f s CPU (all processes), %d MiB peak RSS (all processes), exit %d: %s\n' \
		"$label" "$(echo "$end - $start" | bc)" "$cpu" $((peak / 1024)) "$rc" "$(tail -n 1 "$work/out")"
}

measure "full compile" "$work/bin/gitops" compile --root "$work/estate"
python3 - "$work/estate/generated" <<'PY'
import glob, json, os, sys
files = glob.glob(os.path.join(sys.argv[1], "*", "*", "*.template.json"))
counts = [len(json.load(open(f)).get("Resources", {})) for f in files]
sizes = [os.path.getsize(f) for f in files]
print(f"{len(files)} stacks, {sum(counts)} resources; largest stack {max(counts)} resources, largest template {max(sizes)} bytes")
PY
measure "no-op compile" "$work/bin/gitops" compile --root "$work/estate"
# One VPC more in one account's network: its stacks are synthesized, the
# rest come from the template cache.
net="$work/estate/environments/workload-0001/network.yaml"
cat >>"$net" <<'YAML'
  - name: bench-added
    cidr: 10.255.0.0/20
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 22}
    egress: {type: none}
YAML
measure "one-VPC edit" "$work/bin/gitops" compile --root "$work/estate"
