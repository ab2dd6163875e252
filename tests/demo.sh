#!/usr/bin/env bash
# make demo: the main job on the embedded dev cluster. Starts `kafkit dev`,
# produces keyed sample records with a header, reads them back, prints them,
# shows the topic's metadata, and stops the cluster.
set -euo pipefail

KAFKIT=${1:-./kafkit}
tmp=$(mktemp -d)
dev_pid=

cleanup() {
        if [ -n "$dev_pid" ] && kill -0 "$dev_pid" 2>/dev/null; then
                kill -TERM "$dev_pid"
                wait "$dev_pid" || true
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT

echo "== starting the dev cluster: kafkit dev --topic demo:3"
"$KAFKIT" dev --listen none --topic demo:3 --bootstrap-file "$tmp/bootstrap" >/dev/null &
dev_pid=$!
for _ in $(seq 100); do
        [ -s "$tmp/bootstrap" ] && break
        kill -0 "$dev_pid" 2>/dev/null || { echo "demo: kafkit dev exited" >&2; exit 1; }
        sleep 0.1
done
[ -s "$tmp/bootstrap" ] || { echo "demo: kafkit dev did not start in 10 s" >&2; exit 1; }
brokers=$(sed 's/^bootstrap.servers=//' "$tmp/bootstrap")
echo "   bootstrap.servers=$brokers"

echo "== producing 6 keyed records with a header: kafkit produce -K : -H source=demo"
printf '%s\n' \
        'ada:{"name":"Ada","action":"login"}' \
        'grace:{"name":"Grace","action":"login"}' \
        'ada:{"name":"Ada","action":"search","q":"kafka"}' \
        'ken:{"name":"Ken","action":"login"}' \
        'grace:{"name":"Grace","action":"logout"}' \
        'ada:{"name":"Ada","action":"logout"}' |
        "$KAFKIT" produce -b "$brokers" -t demo -K : -H source=demo

echo "== reading them back: kafkit consume -o beginning -e -f ..."
"$KAFKIT" consume -b "$brokers" -t demo -o beginning -e \
        -f 'partition %p offset %o  key %k  value %s  headers %h\n'

echo "== topic metadata: kafkit list -t demo"
"$KAFKIT" list -b "$brokers" -t demo

echo "== stopping the dev cluster"
kill -TERM "$dev_pid"
wait "$dev_pid"
dev_pid=
echo "demo: done"
