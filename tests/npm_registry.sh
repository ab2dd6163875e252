#!/bin/bash
# tests/npm_registry.sh: kafkit's dev Schema Registry and Avro serdes
# against an independent client, the npm package
# @kafkajs/confluent-schema-registry (version pinned in tests/npm/
# package.json and package-lock.json; the Node.js side is
# tests/npm/crosscheck.js). Checks: a schema the npm client registers has
# the id that `kafkit schema` and the REST API report, also when its text
# is reformatted; the subject's compatibility level the client sets is the
# one kafkit reads; records the npm client encodes are decoded by `kafkit
# consume`, and records `kafkit produce` encodes are decoded by the npm
# client, to the same values; both encoders give the same framed bytes for
# the same records and schema id; schema evolution: compatibility answers
# of both clients agree (v2 compatible, a field without default refused
# with 409), v2 records the npm client writes read through a v1 reader in
# kafkit, and v1 records through a v2 reader in both, with equal results.
#
# Skips (77) when node or npm is missing or the package cannot be
# installed (no network). The package is installed with `npm ci` into
# ${KAFKIT_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafkit-npm}, once
# per lock file, never into the source tree.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

T=$TMPDIR
SCHEMAS="$top_srcdir/schemas"
NPMSRC="$top_srcdir/tests/npm"
V1=$SCHEMAS/user_event.avsc
V2=$SCHEMAS/user_event_v2.avsc

command -v node >/dev/null 2>&1 || skip "node not found (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip "npm not found (Debian: apt-get install npm)"

# --------------------------------------- the npm package, in a cache dir
if [ -n "${KAFKIT_NPM_CACHE:-}" ]; then
        NPMDIR=$KAFKIT_NPM_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ] || [ -n "${HOME:-}" ]; then
        NPMDIR=${XDG_CACHE_HOME:-$HOME/.cache}/kafkit-npm
else
        NPMDIR=$T/npm
fi
mkdir -p "$NPMDIR" 2>/dev/null && [ -w "$NPMDIR" ] || NPMDIR=$T/npm
mkdir -p "$NPMDIR" || fail "cannot create $NPMDIR"

npm_install() {
        # stamp = the lock file of the last complete install
        cmp -s "$NPMSRC/package-lock.json" "$NPMDIR/installed.lock" &&
                [ -f "$NPMDIR/node_modules/@kafkajs/confluent-schema-registry/package.json" ] &&
                return 0
        rm -f "$NPMDIR/installed.lock"
        # cat, not cp: distcheck's read-only sources must not make read-only copies
        rm -f "$NPMDIR/package.json" "$NPMDIR/package-lock.json"
        cat "$NPMSRC/package.json" >"$NPMDIR/package.json" &&
                cat "$NPMSRC/package-lock.json" >"$NPMDIR/package-lock.json" || return 1
        (cd "$NPMDIR" && timeout -k 10 120 npm ci --no-audit --no-fund --ignore-scripts \
                --fetch-retries=1 --fetch-timeout=30000 \
                --loglevel=error) >"$T/npm.log" 2>&1 || return 1
        cat "$NPMSRC/package-lock.json" >"$NPMDIR/installed.lock"
}

if command -v flock >/dev/null 2>&1; then
        exec 9>"$NPMDIR/.lock"
        flock -w 180 9 || fail "$NPMDIR/.lock: held by another run for 180 s"
fi
npm_install || skip "npm ci of @kafkajs/confluent-schema-registry into $NPMDIR failed" \
        "(npm registry unreachable?): $(grep -m 3 . "$T/npm.log" 2>/dev/null)"
exec 9>&-

export NODE_PATH=$NPMDIR/node_modules
node -e "require('@kafkajs/confluent-schema-registry'); require('avsc')" >"$T/node.err" 2>&1 ||
        skip "node $(node --version) cannot load the npm package: $(head -c 400 "$T/node.err")"

# js COMMAND ARGS...: run crosscheck.js (at most 60 s), stdout to $T/js.out;
# fail with its stderr unless it exits 0
js() {
        timeout -k 10 60 node "$NPMSRC/crosscheck.js" "$@" >"$T/js.out" 2>"$T/js.err" ||
                fail "crosscheck.js $1 ${*:3}: exit $?: $(head -c 1500 "$T/js.err")"
}

# kk ARGS...: run kafkit (at most 30 s) with stdin from /dev/null, stdout
# to $T/out, stderr to $T/err; fail unless it exits 0
kk() {
        timeout -k 10 30 "$KAFKIT" "$@" >"$T/out" 2>"$T/err" </dev/null ||
                fail "kafkit $*: exit $?: $(head -c 800 "$T/err")"
}

# consume TOPIC ARGS...: the whole topic with `kafkit consume`
consume() {
        local t=$1
        shift
        kk consume -b "$BROKERS" -r "$REGISTRY" -t "$t" -e -q "$@"
}

# same_id WHAT WANT GOT
same_id() {
        [ "$2" = "$3" ] || fail "$1: '$3', expected '$2'"
}

start_dev --topic xc:1 --topic xcn:1 --topic xcv2:1 --topic xcn2:1

# ----------------------------------------------------- the records
# In Avro's JSON encoding, as kafkit produce reads them: every enum
# symbol, both branches of each union, escapes, non-ASCII text (a
# surrogate pair too), control characters, an empty string, a 200-byte
# string (2-byte length), longs around varint boundaries and at +-2^52,
# -0.0, the smallest subnormal and the largest double. (avsc 5.7.9 zigzags
# longs in doubles: past +-2^52 it loses the low bit, and the sign of
# negative ones, so its range stops there.)
long=$(printf 'x%.0s' $(seq 200))
cat >"$T/v1.jsonl" <<EOF
{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}
{"user":"ada","action":"SEARCH","ts":1700000000500,"price":null,"query":{"string":"kafka \"streams\" \\\\ \t \n \/"}}
{"user":"grace","action":"PURCHASE","ts":63,"price":{"double":19.99},"query":null}
{"user":"ken","action":"LOGOUT","ts":-1,"price":{"double":1e300},"query":{"string":"caf\u00e9 \ud83d\ude00 日本"}}
{"user":"","action":"LOGIN","ts":64,"price":{"double":-0.0},"query":{"string":""}}
{"user":"$long","action":"SEARCH","ts":4503599627370496,"price":{"double":5e-324},"query":{"string":"\u0001\u001f\u007f"}}
{"user":"min","action":"PURCHASE","ts":-4503599627370496,"price":{"double":1.7976931348623157e308},"query":null}
{"user":"pi","action":"LOGOUT","ts":0,"price":{"double":0.1},"query":{"string":"x"}}
EOF
N=$(wc -l <"$T/v1.jsonl")
# the same records in v2, with a country
awk '{ sub(/}$/, ",\"country\":\"c" NR "\"}"); print }' "$T/v1.jsonl" >"$T/v2.jsonl"
# the v1 records as a v2 reader sees them
sed 's/}$/,"country":"unknown"}/' "$T/v1.jsonl" >"$T/v1-as-v2.jsonl"

# --------------------------------------------- registration and ids
js register "$REGISTRY" xc-value "$V1"
ID1=$(cat "$T/js.out")
kk schema get -r "$REGISTRY" -s xc-value --version 1 -v --raw
grep -q "\\b$ID1\\b" "$T/err" || fail "kafkit schema get -v: id is not $ID1: $(cat "$T/err")"
kk schema list -r "$REGISTRY" -s xc-value
same_id "versions of xc-value after one registration" 1 "$(cat "$T/out")"
kk schema register -r "$REGISTRY" -s xc-value "$V1"
same_id "kafkit schema register of the schema npm registered" "$ID1" "$(cat "$T/out")"
if command -v curl >/dev/null 2>&1; then
        got=$(curl -sf "$REGISTRY/subjects/xc-value/versions/1" | tr -d ' \n' |
                sed -n 's/.*"id":\([0-9]*\).*/\1/p') ||
                fail "GET /subjects/xc-value/versions/1 failed"
        same_id "REST GET /subjects/xc-value/versions/1 id" "$ID1" "$got"
fi
# the same schema, reformatted: the same id, no new version
js register "$REGISTRY" xc-value "$V1" reformat
same_id "npm register of the reformatted schema" "$ID1" "$(cat "$T/js.out")"
js ids "$REGISTRY" xc-value "$V1" 1
same_id "npm ids (by schema, latest, version 1)" "$ID1 $ID1 $ID1" "$(cat "$T/js.out")"
kk schema list -r "$REGISTRY" -s xc-value
same_id "versions of xc-value after re-registrations" 1 "$(cat "$T/out")"
# the npm client set the subject's level on first registration
kk schema config -r "$REGISTRY" -s xc-value
grep -qx BACKWARD "$T/out" || fail "kafkit schema config -s xc-value: $(cat "$T/out")"
js config "$REGISTRY" xc-value
same_id "npm config of xc-value" BACKWARD "$(cat "$T/js.out")"

# ------------------------------------------------------ npm -> kafkit
js encode "$REGISTRY" "$ID1" "$T/v1.jsonl" "$T/npm-v1.bin" "$T/npm-v1.framed"
sep=$(cat "$T/js.out")
kk produce -b "$BROKERS" -t xcn -D "$sep" "$T/npm-v1.bin"
consume xcn -f '%S:%s\n'
cmp -s "$T/out" "$T/npm-v1.framed" || fail "the npm-encoded records changed on their way through xcn"
consume xcn --value-format avro
cp "$T/out" "$T/kafkit-dec-npm.jsonl"
js samejson "$V1" "$T/v1.jsonl" "$T/kafkit-dec-npm.jsonl"
same_id "records kafkit decoded from npm's bytes" "$N" "$(cat "$T/js.out")"
consume xcn --value-format avro --json-style plain
js samejson "$V1" "$T/v1.jsonl" "$T/out" plain

# ------------------------------------------------------ kafkit -> npm
kk produce -b "$BROKERS" -r "$REGISTRY" -t xc --value-format avro --value-schema "$V1" "$T/v1.jsonl"
consume xc -f '%S:%s\n'
cp "$T/out" "$T/kafkit-v1.framed"
# the same framed bytes from both encoders
if ! cmp -s "$T/kafkit-v1.framed" "$T/npm-v1.framed"; then
        od -An -tx1 "$T/npm-v1.framed" >"$T/a.hex"
        od -An -tx1 "$T/kafkit-v1.framed" >"$T/b.hex"
        fail "kafkit and npm encode the same records differently: $(diff "$T/a.hex" "$T/b.hex" | head -20)"
fi
js decode "$REGISTRY" "$T/kafkit-v1.framed" "$T/v1.jsonl"
same_id "records npm decoded from kafkit's bytes" "$N" "$(cat "$T/js.out")"
# kafkit's own reading of them is what it read from npm's
consume xc --value-format avro
cmp -s "$T/out" "$T/kafkit-dec-npm.jsonl" ||
        fail "kafkit prints its own records and npm's differently"

# ------------------------------------------------------ schema evolution
js compatible "$REGISTRY" xc-value "$V2"
same_id "npm: v2 compatible with xc-value" true "$(cat "$T/js.out")"
kk schema check -r "$REGISTRY" -s xc-value "$V2"
grep -q "^compatible" "$T/out" || fail "kafkit schema check v2: $(cat "$T/out")"
# v3: a new field without a default breaks BACKWARD
node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
        s.fields.push({name:"age",type:"int"}); console.log(JSON.stringify(s))' "$V2" >"$T/v3.avsc" ||
        fail "cannot write v3.avsc"
js compatible "$REGISTRY" xc-value "$T/v3.avsc"
same_id "npm: v3 (field without default) compatible with xc-value" false "$(cat "$T/js.out")"
timeout -k 10 30 "$KAFKIT" schema check -r "$REGISTRY" -s xc-value "$T/v3.avsc" >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && grep -q "^incompatible" "$T/out" ||
        fail "kafkit schema check v3: $(cat "$T/out" "$T/err")"
js register-fails "$REGISTRY" xc-value "$T/v3.avsc"
same_id "HTTP status of npm's v3 registration" 409 "$(cat "$T/js.out")"

js register "$REGISTRY" xc-value "$V2"
ID2=$(cat "$T/js.out")
[ "$ID2" != "$ID1" ] || fail "v2 got v1's id $ID1"
kk schema list -r "$REGISTRY" -s xc-value
same_id "versions of xc-value after v2" "1 2" "$(tr '\n' ' ' <"$T/out" | sed 's/ $//')"
kk schema get -r "$REGISTRY" -s xc-value -v --raw
grep -q "\\b$ID2\\b" "$T/err" || fail "kafkit schema get -s xc-value -v: id is not $ID2: $(cat "$T/err")"
js ids "$REGISTRY" xc-value "$V2" 2
same_id "npm ids of v2 (by schema, latest, version 2)" "$ID2 $ID2 $ID2" "$(cat "$T/js.out")"
js ids "$REGISTRY" xc-value "$V1" 1
same_id "npm ids of v1 after v2 (by schema, latest, version 1)" "$ID1 $ID2 $ID1" "$(cat "$T/js.out")"

# npm writes v2 records; kafkit reads them as written and through v1
js encode "$REGISTRY" "$ID2" "$T/v2.jsonl" "$T/npm-v2.bin" "$T/npm-v2.framed"
sep=$(cat "$T/js.out")
kk produce -b "$BROKERS" -t xcn2 -D "$sep" "$T/npm-v2.bin"
consume xcn2 --value-format avro
js samejson "$V2" "$T/v2.jsonl" "$T/out"
consume xcn2 --value-format avro --value-schema "$V1"
cp "$T/out" "$T/kafkit-v2-as-v1.jsonl"
js samejson "$V1" "$T/v1.jsonl" "$T/kafkit-v2-as-v1.jsonl"
consume xcn2 -f '%S:%s\n'
js decode "$REGISTRY" "$T/out" "$T/kafkit-v2-as-v1.jsonl" "$V1"
# kafkit writes the same v2 records: the same bytes, under the same id
kk produce -b "$BROKERS" -r "$REGISTRY" -t xcv2 --value-format avro --value-subject xc-value "$T/v2.jsonl"
consume xcv2 -f '%S:%s\n'
cmp -s "$T/out" "$T/npm-v2.framed" || fail "kafkit and npm encode the v2 records differently"

# v1 records (kafkit's) through a v2 reader, in kafkit and in npm
consume xc --value-format avro --value-schema "$V2"
cp "$T/out" "$T/kafkit-v1-as-v2.jsonl"
js samejson "$V2" "$T/v1-as-v2.jsonl" "$T/kafkit-v1-as-v2.jsonl"
js decode "$REGISTRY" "$T/kafkit-v1.framed" "$T/kafkit-v1-as-v2.jsonl" "$V2"
same_id "v1 records npm read through v2" "$N" "$(cat "$T/js.out")"

stop_dev
echo "npm_registry: @kafkajs/confluent-schema-registry $(node -p \
        "require('@kafkajs/confluent-schema-registry/package.json').version") agrees with kafkit on $N records"
exit 0
