#!/usr/bin/env bash
# make demo: the main job on the embedded dev cluster. Starts `kafkit dev`
# (brokers and a Schema Registry on free ports), produces keyed sample
# records with a header, reads them back, prints them, shows the topic's
# metadata; then produces JSON events as Avro with schemas/user_event.avsc,
# reads them back as JSON, shows the registry's subjects and checks v2 of
# the schema against it; and stops the cluster.
set -euo pipefail

KAFKIT=${1:-./kafkit}
SCHEMAS=$(cd "$(dirname "$0")/../schemas" && pwd)
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

echo "== starting the dev cluster: kafkit dev --topic demo:3 --topic users:2"
"$KAFKIT" dev --listen none --registry 127.0.0.1:0 --topic demo:3 --topic users:2 \
        --bootstrap-file "$tmp/bootstrap" >/dev/null &
dev_pid=$!
for _ in $(seq 100); do
        [ -s "$tmp/bootstrap" ] && break
        kill -0 "$dev_pid" 2>/dev/null || { echo "demo: kafkit dev exited" >&2; exit 1; }
        sleep 0.1
done
[ -s "$tmp/bootstrap" ] || { echo "demo: kafkit dev did not start in 10 s" >&2; exit 1; }
brokers=$(sed -n 's/^bootstrap\.servers=//p' "$tmp/bootstrap")
registry=$(sed -n 's/^schema\.registry\.url=//p' "$tmp/bootstrap")
echo "   bootstrap.servers=$brokers"
echo "   schema.registry.url=$registry"

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

echo "== Avro: JSON lines in, framed Avro on the topic (schemas/user_event.avsc)"
echo "   kafkit produce -t users -K '|' --value-format avro --value-schema user_event.avsc"
printf '%s\n' \
        'ada|{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}' \
        'ada|{"user":"ada","action":"SEARCH","ts":1700000004000,"price":null,"query":{"string":"kafka"}}' \
        'grace|{"user":"grace","action":"PURCHASE","ts":1700000009000,"price":{"double":19.99},"query":null}' \
        'ada|{"user":"ada","action":"LOGOUT","ts":1700000012000,"price":null,"query":null}' |
        "$KAFKIT" produce -b "$brokers" -r "$registry" -t users -K '|' \
                --value-format avro --value-schema "$SCHEMAS/user_event.avsc"

echo "== reading them back as JSON: kafkit consume --value-format avro --json-style plain"
"$KAFKIT" consume -b "$brokers" -r "$registry" -t users -o beginning -e \
        --value-format avro --json-style plain -f 'partition %p offset %o  key %k  value %s\n'

echo "== the registry: kafkit schema list, then the versions of users-value"
"$KAFKIT" schema list -r "$registry"
"$KAFKIT" schema list -r "$registry" -s users-value

echo "== could v2 (adds a defaulted field) be registered? kafkit schema check"
"$KAFKIT" schema check -r "$registry" -s users-value "$SCHEMAS/user_event_v2.avsc"

echo "== stopping the dev cluster"
kill -TERM "$dev_pid"
wait "$dev_pid"
dev_pid=
echo "demo: done"
