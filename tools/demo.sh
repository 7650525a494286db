#!/bin/sh
# Watch a deployment work without an AWS account: starts moto_server (the
# AWS emulator) on 127.0.0.1 with the repository's fix
# (tools/internal/motoserver/moto_server.py), points gitops at it through
# AWS_ENDPOINT_URL, plans and applies the example estate's generated/, applies
# again (nothing left to change), and cleans up. What moto cannot emulate
# (container registries, some resource types, stacks it breaks on) is
# reported as "not emulated", not as a failure of the estate.
# Usage: sh tools/demo.sh   (from the repository root; needs go, python3 and
# moto_server: pip install 'moto[server]')
set -eu

if ! command -v moto_server >/dev/null 2>&1; then
	echo "demo: moto_server is not on PATH; install it with: pip install 'moto[server]'" >&2
	exit 2
fi
work=$(mktemp -d)
moto=
cleanup() {
	if [ -n "$moto" ]; then
		kill "$moto" 2>/dev/null || true
		wait "$moto" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$work/" ./tools/cmd/gitops ./tools/cmd/gitops-synth
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 tools/internal/motoserver/moto_server.py -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
i=0
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; do
	i=$((i + 1))
	if [ "$i" -gt 120 ] || ! kill -0 "$moto" 2>/dev/null; then
		echo "demo: moto_server did not start; its log:" >&2
		cat "$work/moto.log" >&2
		exit 1
	fi
	sleep 0.5
done
echo "demo: moto_server on http://127.0.0.1:$port"

# Dummy credentials and the emulator's address; nothing reaches AWS.
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
	AWS_SESSION_TOKEN= AWS_REGION=eu-west-1 AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PROFILE=
unset AWS_ENDPOINT_URL_CLOUDFORMATION 2>/dev/null || true

echo "demo: gitops plan (change sets for every stack, deleted again)"
GITOPS_RUN_ID=demo-plan "$work/gitops" plan >"$work/plan.log"
grep '^gitops plan: ' "$work/plan.log" || true
echo "demo: gitops apply"
GITOPS_RUN_ID=demo-apply "$work/gitops" apply
echo "demo: gitops apply again: nothing left to change"
GITOPS_RUN_ID=demo-again "$work/gitops" apply >"$work/again.log" || { cat "$work/again.log"; exit 1; }
sed -n '/^gitops apply: [0-9]/,$p' "$work/again.log"
echo "demo: done; moto_server stopped"
