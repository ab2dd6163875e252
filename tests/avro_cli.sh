#!/bin/bash
# tests/avro_cli.sh: `kafkit produce` and `consume` with --key-format and
# --value-format avro/json on a dev cluster and its registry: JSON -> Avro
# -> JSON round trips in both JSON styles, keys and values, the schema
# given as a file, an id or a subject, the Confluent framing on the wire, a
# bad input line reported with its line number and JSON path and not
# produced, an undecodable record reported with topic/partition/offset and
# skipped (exit 1), a v2 reader schema, a registry that is down (exit 1 in
# bounded time) and usage errors (exit 2). kcat reads the raw bytes when
# present, and the Avro records too when it was built with Avro support.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

T=$TMPDIR
SCHEMAS="$top_srcdir/schemas"

expect_rc() {
        local want=$1 secs=$2 rc
        shift 2
        timeout "$secs" "$KAFKIT" "$@" >"$T/out" 2>"$T/err" <"${STDIN:-/dev/null}"
        rc=$?
        [ "$rc" -ne 124 ] || fail "kafkit $*: still running after $secs s"
        [ "$rc" -eq "$want" ] ||
                fail "kafkit $*: exit $rc, expected $want; stderr: $(head -c 800 "$T/err")"
}

expect_usage() {
        expect_rc 2 10 "$@"
        [ -s "$T/err" ] || fail "kafkit $*: usage error without a message"
        [ ! -s "$T/out" ] || fail "kafkit $*: usage error printed on stdout"
}

err_has() {
        grep -q -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"
}

same() {
        cmp -s "$1" "$2" && return 0
        echo "--- want ($3)" >&2
        cat "$2" >&2
        echo "--- got" >&2
        cat "$1" >&2
        fail "$3: output differs"
}

# produce TOPIC ARGS... < input; consume TOPIC ARGS...
produce() { local t=$1; shift; STDIN=$T/in expect_rc "${WANT:-0}" 30 produce -b "$BROKERS" -r "$REGISTRY" -t "$t" "$@"; }
consume() { local t=$1; shift; expect_rc "${WANT:-0}" 30 consume -b "$BROKERS" -r "$REGISTRY" -t "$t" -e "$@"; }

AV=(--value-format avro)
V1=(--value-schema "$SCHEMAS/user_event.avsc")

# ------------------------------------------------------------ usage errors
expect_usage produce -t x --value-format avro
err_has -- "--value-schema"
expect_usage produce -t x --value-format xml
err_has xml
expect_usage produce -t x --value-schema "$SCHEMAS/user_event.avsc"
expect_usage produce -t x --value-format avro "${V1[@]}" --value-schema-id 1
expect_usage produce -t x --value-format avro --value-schema-id one
expect_usage produce -t x --key-format avro --value-format avro "${V1[@]}"
err_has -- "--key-schema"
expect_usage produce -t x --json-style fancy
expect_usage consume -t x --value-format avro --json-style
expect_usage consume -t x --key-subject s

start_dev --topic av:1 --topic plain:1 --topic keyed:1 --topic bad:1 --topic mixed:1 \
        --topic json:1 --topic byid:1 --topic many:64 --topic dec:1

# ------------------------------------- round trip, Avro JSON style (default)
cat >"$T/in" <<'EOF'
{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}
{"user":"ada","action":"SEARCH","ts":1700000000500,"price":null,"query":{"string":"kafka \"streams\""}}
{"user":"grace","action":"PURCHASE","ts":1700000001000,"price":{"double":19.99},"query":null}
{"user":"ken","action":"LOGOUT","ts":-1,"price":{"double":1e+300},"query":{"string":"caf\u00e9"}}
EOF
produce av "${AV[@]}" "${V1[@]}"
consume av "${AV[@]}"
# the codec prints its canonical form: compare value by value
cat >"$T/want" <<'EOF'
{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}
{"user":"ada","action":"SEARCH","ts":1700000000500,"price":null,"query":{"string":"kafka \"streams\""}}
{"user":"grace","action":"PURCHASE","ts":1700000001000,"price":{"double":19.99},"query":null}
{"user":"ken","action":"LOGOUT","ts":-1,"price":{"double":1e300},"query":{"string":"café"}}
EOF
same "$T/out" "$T/want" "avro style round trip"

# the same records in the plain style
consume av "${AV[@]}" --json-style plain
cat >"$T/want" <<'EOF'
{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}
{"user":"ada","action":"SEARCH","ts":1700000000500,"price":null,"query":"kafka \"streams\""}
{"user":"grace","action":"PURCHASE","ts":1700000001000,"price":19.99,"query":null}
{"user":"ken","action":"LOGOUT","ts":-1,"price":1e300,"query":"café"}
EOF
same "$T/out" "$T/want" "plain style output"

# ------------------------------------------ round trip, plain style input
cp "$T/want" "$T/in"
produce plain "${AV[@]}" "${V1[@]}" --json-style plain
consume plain "${AV[@]}" --json-style plain
same "$T/out" "$T/in" "plain style round trip"

# ------------------------ decimals: text in plain style, --decimal bytes|text
cat >"$T/in" <<'EOF'
{"id":1,"price":"12.34","total":"-1234567.8901","discount":"0.5"}
{"id":2,"price":"-0.01","total":"0","discount":null}
EOF
produce dec "${AV[@]}" --value-schema "$SCHEMAS/order.avsc" --json-style plain
consume dec "${AV[@]}" --json-style plain
cat >"$T/want" <<'EOF'
{"id":1,"price":"12.34","total":"-1234567.8901","discount":"0.50"}
{"id":2,"price":"-0.01","total":"0.0000","discount":null}
EOF
same "$T/out" "$T/want" "plain style decimals"
consume dec "${AV[@]}" --decimal text
cat >"$T/want" <<'EOF'
{"id":1,"price":"12.34","total":"-1234567.8901","discount":{"bytes":"0.50"}}
{"id":2,"price":"-0.01","total":"0.0000","discount":null}
EOF
same "$T/out" "$T/want" "avro style, --decimal text"
# Avro's own JSON: the two's-complement bytes (1234 = 0x04d2, -1 = 0xff)
consume dec "${AV[@]}" --json-style plain --decimal bytes -c 2
grep -q '"price":"\\u0004Ò"' "$T/out" || fail "--decimal bytes: 12.34 not as bytes: $(cat "$T/out")"
grep -q '"price":"ÿ"' "$T/out" || fail "--decimal bytes: -0.01 not as bytes: $(cat "$T/out")"
printf '%s\n' '{"id":3,"price":"1.234","total":"1","discount":null}' >"$T/in"
WANT=1 produce dec "${AV[@]}" --value-schema "$SCHEMAS/order.avsc" --json-style plain
err_has 'stdin:1: '
err_has '$.price: expected decimal with at most 2 digits after the point'
expect_usage produce -t x --decimal float

# ---------------------------- the wire: Confluent framing, registered id
expect_rc 0 20 schema list -r "$REGISTRY"
grep -qx "av-value" "$T/out" || fail "av-value not registered: $(cat "$T/out")"
grep -qx "plain-value" "$T/out" || fail "plain-value not registered: $(cat "$T/out")"
consume av -c 1 -f '%S\n'
size=$(cat "$T/out")
# 5 header bytes, "ada" (1+3), LOGIN (1), ts (6 bytes zigzag), 2 null branches
[ "$size" -eq 18 ] || fail "first av record is $size bytes, expected 18"
if command -v kcat >/dev/null 2>&1; then
        kcat -b "$BROKERS" -C -t av -c 1 -e -q -f '%s' 2>/dev/null |
                od -An -tx1 -N5 | tr -d ' \n' >"$T/hdr"
        [ "$(cat "$T/hdr")" = "0000000001" ] ||
                fail "kcat sees header $(cat "$T/hdr"), expected 00 00000001"
        if kcat -V 2>&1 | grep -qi avro; then
                kcat -b "$BROKERS" -C -t av -e -q -s value=avro -r "$REGISTRY" -J \
                        >"$T/kcat.json" 2>"$T/kcat.err" || fail "kcat -s avro: $(cat "$T/kcat.err")"
                grep -q '"grace"' "$T/kcat.json" || fail "kcat -s avro: $(cat "$T/kcat.json")"
        else
                echo "kcat built without Avro: skipping the kcat -s avro check" >&2
        fi
else
        echo "kcat not found: skipping the raw-bytes check" >&2
fi

# ---------------------------------------------------- keys and values
cat >"$T/in" <<'EOF'
{"user":"ada"}|{"user":"ada","action":"LOGIN","ts":1,"price":null,"query":null}
{"user":"bob"}|{"user":"bob","action":"LOGOUT","ts":2,"price":null,"query":null}
EOF
produce keyed -K '|' --key-format avro --key-schema "$SCHEMAS/user_key.avsc" \
        "${AV[@]}" "${V1[@]}"
consume keyed --key-format avro "${AV[@]}" -f '%k|%s\n'
same "$T/out" "$T/in" "avro key and value"
consume keyed --key-format avro -f '%k\n'
printf '%s\n' '{"user":"ada"}' '{"user":"bob"}' >"$T/want"
same "$T/out" "$T/want" "avro key with a string value"
expect_rc 0 20 schema list -r "$REGISTRY"
grep -qx "keyed-key" "$T/out" || fail "keyed-key not registered: $(cat "$T/out")"

# ------------------------------------------ schema by id and by subject
printf '%s\n' '{"user":"x","action":"LOGIN","ts":5,"price":null,"query":null}' >"$T/in"
produce byid "${AV[@]}" --value-schema-id 1
produce byid "${AV[@]}" --value-subject av-value
consume byid "${AV[@]}"
printf '%s\n%s\n' "$(cat "$T/in")" "$(cat "$T/in")" >"$T/want"
same "$T/out" "$T/want" "schema by id and by subject"
expect_rc 0 20 schema list -r "$REGISTRY"
grep -q "byid" "$T/out" && fail "--value-schema-id registered a subject: $(cat "$T/out")"
WANT=1 produce byid "${AV[@]}" --value-schema-id 999
err_has 40403
WANT=1 produce byid "${AV[@]}" --value-subject no-such-subject
err_has 40401

# ----------------------- a bad line: reported with line and path, skipped
cat >"$T/in" <<'EOF'
{"user":"a","action":"LOGIN","ts":1,"price":null,"query":null}
{"user":"b","action":"LOGIN","ts":2,"price":null,"query":null}
{"user":"c","action":"PURCHASE","ts":3,"price":{"double":"abc"},"query":null}
{"user":"d","action":"DANCE","ts":4,"price":null,"query":null}
{"user":"e","action":"LOGOUT","ts":5,"price":null,"query":null}
EOF
WANT=1 produce bad "${AV[@]}" "${V1[@]}"
err_has 'stdin:3: '
grep 'stdin:3: ' "$T/err" | grep -q '\$\.price.*expected double, got string "abc"' ||
        fail "line 3 not reported with its path: $(cat "$T/err")"
err_has 'stdin:4: '
grep 'stdin:4: ' "$T/err" | grep -q '\$\.action' || fail "line 4 not reported: $(cat "$T/err")"
err_has '2 of 5 records not produced'
consume bad "${AV[@]}" -f '%s\n'
grep -o '"user":"[a-z]"' "$T/out" | tr '\n' ' ' >"$T/users"
[ "$(cat "$T/users")" = '"user":"a" "user":"b" "user":"e" ' ] ||
        fail "bad lines were produced (or good ones lost): $(cat "$T/out")"
# the same from a file: the file name and line number
cp "$T/in" "$T/events.jsonl"
WANT=1 STDIN=/dev/null expect_rc 1 30 produce -b "$BROKERS" -r "$REGISTRY" -t bad \
        "${AV[@]}" "${V1[@]}" "$T/events.jsonl"
err_has "events.jsonl:3: "

# -------------------------------------------------------- json format
printf '%s\n' '{"a": [1, 2.5e3, true, null]}' '{"a": tru}' '"just a string"' '{"a":1} x' >"$T/in"
WANT=1 produce json --value-format json
err_has 'stdin:2: value: not JSON'
err_has 'stdin:4: value: not JSON'
consume json --value-format json
printf '%s\n' '{"a": [1, 2.5e3, true, null]}' '"just a string"' >"$T/want"
same "$T/out" "$T/want" "json format"

# -------------- undecodable records: reported, skipped, exit 1 at the end
printf '%s\n' '{"user":"m","action":"LOGIN","ts":1,"price":null,"query":null}' >"$T/in"
produce mixed "${AV[@]}" "${V1[@]}"
printf 'not avro at all\n' >"$T/in"
produce mixed
printf '%s\n' '{"user":"n","action":"LOGOUT","ts":2,"price":null,"query":null}' >"$T/in"
produce mixed "${AV[@]}" "${V1[@]}"
WANT=1 consume mixed "${AV[@]}" -f '%o %s\n'
grep -q "topic 'mixed' partition 0 offset 1" "$T/err" ||
        fail "undecodable record not located: $(cat "$T/err")"
err_has "skipped"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "expected the 2 good records: $(cat "$T/out")"
grep -q '^0 .*"m"' "$T/out" && grep -q '^2 .*"n"' "$T/out" ||
        fail "good records around the bad one: $(cat "$T/out")"
# json format on Avro bytes: not JSON, skipped
WANT=1 consume mixed --value-format json -c 1
err_has "offset 0: value: not JSON"

# ----------------------------------------------------- a v2 reader schema
consume av "${AV[@]}" --value-schema "$SCHEMAS/user_event_v2.avsc" --json-style plain -c 1
grep -q '"country":"unknown"' "$T/out" || fail "v2 reader: $(cat "$T/out")"

# ------------- -e over many partitions: every record printed, none lost
# (regression: -e stopped at the first EOF of a batch in which every
# partition had ended, dropping the records after it in that batch)
N=3000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
        printf "k%d|{\"user\":\"u%d\",\"action\":\"LOGIN\",\"ts\":%d,\"price\":{\"double\":%d.25},\"query\":null}\n", i, i, i, i }' \
        >"$T/many"
STDIN=$T/many expect_rc 0 60 produce -b "$BROKERS" -t many -K '|' -r "$REGISTRY" "${AV[@]}" "${V1[@]}"
# A reader that starts late makes the consumer block on its output while
# librdkafka queues every record and EOF: batches then mix EOFs and records.
for run in 1 2; do
        timeout -k 10 60 "$KAFKIT" consume -q -b "$BROKERS" -t many -e -r "$REGISTRY" "${AV[@]}" \
                -f '%k %s\n' 2>"$T/err" | { sleep 2; cat; } >"$T/many.out" ||
                fail "consume many: exit ${PIPESTATUS[0]}"
        got=$(wc -l <"$T/many.out")
        [ "$got" -eq $N ] || fail "consume -e of $N Avro records on 64 partitions printed $got (run $run)"
done
[ "$(sort -u "$T/many.out" | wc -l)" -eq $N ] || fail "consume many: duplicate records"

# ------------------------------------- registry down: exit 1, bounded time
printf '%s\n' '{"user":"z","action":"LOGIN","ts":1,"price":null,"query":null}' >"$T/in"
STDIN=$T/in expect_rc 1 20 produce -b "$BROKERS" -t av -r http://127.0.0.1:1 "${AV[@]}" "${V1[@]}"
err_has "127.0.0.1:1"
expect_rc 1 20 consume -b "$BROKERS" -t av -e -r http://127.0.0.1:1 "${AV[@]}"
err_has "127.0.0.1:1"
[ "$(grep -c 'kafkit: .*127.0.0.1:1' "$T/err")" -eq 1 ] ||
        fail "consume with the registry down did not stop at once: $(cat "$T/err")"

# a bad schema file: exit 1 naming it
STDIN=$T/in expect_rc 1 20 produce -b "$BROKERS" -t av -r "$REGISTRY" "${AV[@]}" \
        --value-schema "$T/in"
err_has "$T/in"

stop_dev
exit 0
