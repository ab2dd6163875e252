#!/bin/bash
# tests/schema_cli.sh: `kafkit schema` against the registry `kafkit dev`
# runs, and `kafkit dev`'s registry options: register (ids, idempotence,
# 409 with reasons, references), get (pretty, raw, by id, by version), list,
# check (registry and --offline, both outcomes), delete (soft, permanent),
# config (get, set), where the URL comes from (-r, -X, -F, environment),
# usage errors (exit 2), a registry that is down (exit 1 in bounded time),
# and dev's --registry none / a taken registry port / --registry-data.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

T=$TMPDIR
SCHEMAS="$top_srcdir/schemas"

# expect_rc CODE SECONDS ARGS...: `kafkit ARGS` must exit CODE within
# SECONDS; stdout and stderr are kept in $T/out and $T/err.
expect_rc() {
        local want=$1 secs=$2 rc
        shift 2
        timeout "$secs" "$KAFKIT" "$@" >"$T/out" 2>"$T/err" </dev/null
        rc=$?
        [ "$rc" -ne 124 ] || fail "kafkit $*: still running after $secs s"
        [ "$rc" -eq "$want" ] ||
                fail "kafkit $*: exit $rc, expected $want; stdout: $(head -c 300 "$T/out"); stderr: $(head -c 600 "$T/err")"
}

expect_usage() {
        expect_rc 2 10 "$@"
        [ -s "$T/err" ] || fail "kafkit $*: usage error without a message"
        [ ! -s "$T/out" ] || fail "kafkit $*: usage error printed on stdout"
}

# out_is TEXT: stdout of the last command must be exactly TEXT.
out_is() {
        [ "$(cat "$T/out")" = "$1" ] || fail "stdout: got '$(cat "$T/out")', expected '$1'"
}

err_has() {
        grep -q -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"
}

sch() { expect_rc "$1" 20 schema "${@:2}"; }

# An incompatible v2 (a field without default) and an unparsable schema.
cat >"$T/bad_v2.avsc" <<'EOF'
{"type": "record", "name": "UserEvent", "namespace": "kafkit.demo",
 "fields": [{"name": "user", "type": "string"},
            {"name": "email", "type": "string"}]}
EOF
cat >"$T/broken.avsc" <<'EOF'
{"type": "record", "name": "Broken", "fields": [{"name": "x", "type": "Nope"}]}
EOF

# --------------------------------------------------------------- help
"$KAFKIT" schema --help >"$T/help" || fail "schema --help: exit $?"
for sub in register get list check delete config; do
        grep -q "$sub" "$T/help" || fail "schema --help does not list $sub"
        "$KAFKIT" schema "$sub" --help >"$T/subhelp" || fail "schema $sub --help: exit $?"
        grep -q "Example" "$T/subhelp" || fail "schema $sub --help has no example"
done
"$KAFKIT" help schema >/dev/null || fail "kafkit help schema: exit $?"
"$KAFKIT" --help | grep -q schema || fail "kafkit --help does not list schema"

# --------------------------------------------------------- usage errors
expect_usage schema
expect_usage schema bogus
err_has bogus
expect_usage schema register "$SCHEMAS/user_event.avsc"
err_has -- "-s SUBJECT"
expect_usage schema register -s s
expect_usage schema register -s s a.avsc b.avsc
expect_usage schema register -s s --reference nonsense "$SCHEMAS/user_event.avsc"
err_has nonsense
expect_usage schema get
expect_usage schema get --id 1 -s s
expect_usage schema get --id one
expect_usage schema get -s s --version 0
expect_usage schema get --id 1 stray
expect_usage schema list --permanent
err_has -- "--permanent"
expect_usage schema config --set SIDEWAYS
err_has SIDEWAYS
expect_usage schema check --offline "$SCHEMAS/user_event.avsc"
expect_usage schema check --offline --level SIDEWAYS "$SCHEMAS/user_event.avsc" \
        "$SCHEMAS/user_event_v2.avsc"
expect_usage schema check --offline -s s "$SCHEMAS/user_event.avsc" "$SCHEMAS/user_event_v2.avsc"
expect_usage schema check -s s --level FULL "$SCHEMAS/user_event.avsc"
expect_usage schema delete
expect_usage schema delete -s s --normalize
expect_usage schema list --bogus
expect_usage schema list -r
expect_usage schema list -X no.such.property=1

# ------------------------------------------------------- offline check
sch 0 check --offline "$SCHEMAS/user_event.avsc" "$SCHEMAS/user_event_v2.avsc"
out_is "compatible (BACKWARD)"
sch 0 check --offline "$SCHEMAS/user_event.avsc" "$SCHEMAS/user_event_v2.avsc" \
        --level FULL_TRANSITIVE
out_is "compatible (FULL_TRANSITIVE)"
sch 1 check --offline "$SCHEMAS/user_event.avsc" "$T/bad_v2.avsc"
head -n 1 "$T/out" | grep -qx "incompatible (BACKWARD)" || fail "offline: $(cat "$T/out")"
grep -q "READER_FIELD_MISSING_DEFAULT_VALUE.*'email'" "$T/out" ||
        fail "offline check gives no reason: $(cat "$T/out")"
# FORWARD: the old schema reads data of the new one; v2 reads v1 (country
# has a default), but bad_v2's reader, the new one, is not asked.
sch 0 check --offline "$SCHEMAS/user_event_v2.avsc" "$SCHEMAS/user_event.avsc" --level FORWARD
sch 1 check --offline "$SCHEMAS/user_event_v2.avsc" "$T/bad_v2.avsc" --level FORWARD
# transitive: v1, v2, then a schema only the latest could read
sch 1 check --offline "$SCHEMAS/user_event.avsc" "$SCHEMAS/user_event_v2.avsc" \
        "$T/bad_v2.avsc" --level BACKWARD_TRANSITIVE
sch 1 check --offline "$SCHEMAS/user_event.avsc" "$T/broken.avsc"
err_has "broken.avsc"
err_has "Nope"
sch 1 check --offline "$SCHEMAS/user_event.avsc" "$T/missing.avsc"
err_has "missing.avsc"

# ----------------------------------------------------- against a registry
start_dev
[ -n "$REGISTRY" ] || fail "start_dev gave no REGISTRY"
R=(-r "$REGISTRY")

sch 0 list "${R[@]}"
out_is ""
sch 0 register "${R[@]}" -s users-value "$SCHEMAS/user_event.avsc"
out_is 1
sch 0 register "${R[@]}" -s users-value "$SCHEMAS/user_event.avsc"
out_is 1
sch 0 register "${R[@]}" -s users-value "$SCHEMAS/user_event_v2.avsc"
out_is 2
sch 0 register "${R[@]}" -s users-key "$SCHEMAS/user_key.avsc"
out_is 3
sch 0 list "${R[@]}"
sort "$T/out" | tr '\n' ' ' | grep -qx "users-key users-value " || fail "list: $(cat "$T/out")"
sch 0 list "${R[@]}" -s users-value
out_is "$(printf '1\n2')"

# get: raw is the text as registered; pretty has the same tokens
sch 0 get "${R[@]}" -s users-value --version 1 --raw
cmp -s "$T/out" "$SCHEMAS/user_event.avsc" || fail "get --raw differs: $(cat "$T/out")"
sch 0 get "${R[@]}" --id 2
[ "$(wc -l <"$T/out")" -gt 10 ] || fail "get is not indented: $(cat "$T/out")"
grep -q '^  "name": "UserEvent",$' "$T/out" || fail "pretty get: $(cat "$T/out")"
grep -q '"country"' "$T/out" || fail "get --id 2 is not v2: $(cat "$T/out")"
[ "$(tr -d ' \n' <"$T/out")" = "$(tr -d ' \n' <"$SCHEMAS/user_event_v2.avsc")" ] ||
        fail "pretty get changed the schema"
sch 0 get "${R[@]}" -s users-value
grep -q '"country"' "$T/out" || fail "get latest is not v2"
sch 0 get "${R[@]}" -s users-value --version latest -v --raw
err_has "id 2, subject users-value, version 2"

# check against the registry, both outcomes
sch 0 check "${R[@]}" -s users-value "$SCHEMAS/user_event_v2.avsc"
out_is "compatible with the latest version"
sch 0 check "${R[@]}" -s users-value --version 1 "$SCHEMAS/user_event.avsc"
out_is "compatible with version 1"
sch 1 check "${R[@]}" -s users-value "$T/bad_v2.avsc"
head -n 1 "$T/out" | grep -qx "incompatible with the latest version" ||
        fail "check: $(cat "$T/out")"
grep -q "READER_FIELD_MISSING_DEFAULT_VALUE" "$T/out" || fail "no reason: $(cat "$T/out")"

# an incompatible registration: 409 with the reasons
sch 1 register "${R[@]}" -s users-value "$T/bad_v2.avsc"
[ ! -s "$T/out" ] || fail "a refused registration printed an id: $(cat "$T/out")"
err_has "409 error_code 409"
err_has "READER_FIELD_MISSING_DEFAULT_VALUE"
err_has "$REGISTRY"
# an invalid schema is refused before asking
sch 1 register "${R[@]}" -s users-value "$T/broken.avsc"
err_has "broken.avsc"

# references: a schema using kafkit.demo.UserKey from users-key version 1
cat >"$T/wrapper.avsc" <<'EOF'
{"type": "record", "name": "Wrapper", "namespace": "kafkit.demo",
 "fields": [{"name": "key", "type": "kafkit.demo.UserKey"}]}
EOF
sch 0 register "${R[@]}" -s wrapper-value --reference kafkit.demo.UserKey=users-key:1 \
        "$T/wrapper.avsc"
[ "$(cat "$T/out")" -ge 4 ] || fail "register with a reference: $(cat "$T/out")"

# errors the registry gives
sch 1 get "${R[@]}" -s nope
err_has "404 error_code 40401"
sch 1 get "${R[@]}" --id 999
err_has "40403"

# config: global and per subject; NONE lets the bad schema in
sch 0 config "${R[@]}"
out_is BACKWARD
sch 0 config "${R[@]}" -s users-value --set NONE
out_is NONE
sch 0 config "${R[@]}" -s users-value
out_is NONE
sch 0 config "${R[@]}"
out_is BACKWARD
sch 0 register "${R[@]}" -s users-value "$T/bad_v2.avsc"
out_is 5

# delete: one version, the subject (soft), then permanently
sch 0 delete "${R[@]}" -s users-value --version 1
out_is 1
sch 0 list "${R[@]}" -s users-value
out_is "$(printf '2\n3')"
sch 0 delete "${R[@]}" -s users-value
out_is "$(printf '2\n3')"
sch 0 get "${R[@]}" --id 1 --raw
cmp -s "$T/out" "$SCHEMAS/user_event.avsc" || fail "a soft delete lost id 1"
sch 0 delete "${R[@]}" -s users-value --permanent
grep -q 2 "$T/out" || fail "permanent delete: $(cat "$T/out")"
sch 1 list "${R[@]}" -s users-value
err_has 40401

# where the URL comes from: -X, -F, the environment; -r wins
sch 0 list -X "schema.registry.url=$REGISTRY"
grep -q users-key "$T/out" || fail "-X schema.registry.url: $(cat "$T/out")"
echo "schema.registry.url=$REGISTRY" >"$T/reg.properties"
sch 0 list -F "$T/reg.properties"
grep -q users-key "$T/out" || fail "-F: $(cat "$T/out")"
KAFKIT_CONF_SCHEMA_REGISTRY_URL=$REGISTRY sch 0 list
grep -q users-key "$T/out" || fail "environment: $(cat "$T/out")"
KAFKIT_CONF_SCHEMA_REGISTRY_URL=http://127.0.0.1:1 sch 0 list -r "$REGISTRY"

# a registry that is down: exit 1 soon, naming the URL
expect_rc 1 15 schema list -r http://127.0.0.1:1
err_has "127.0.0.1:1"
expect_rc 1 15 schema register -r http://127.0.0.1:1 -s s "$SCHEMAS/user_event.avsc"

# ------------------------------------------------ dev: registry options
ADDR=${REGISTRY#http://}
# a taken registry port: exit 1, named, suggesting --registry
expect_rc 1 20 dev --listen none --registry "$ADDR"
err_has "$ADDR"
err_has -- "--registry"
[ ! -s "$T/out" ] || fail "failed kafkit dev printed on stdout"
stop_dev

expect_usage dev --listen none --registry 127.0.0.1
expect_usage dev --listen none --registry 127.0.0.1:65536
expect_usage dev --listen none --registry none --registry-data "$T/data"
expect_usage dev --listen none --registry-data ""

start_dev --registry none
[ -z "$REGISTRY" ] || fail "--registry none gave REGISTRY=$REGISTRY"
[ "$(wc -l <"$TMPDIR/dev.out")" -eq 1 ] || fail "--registry none: $(cat "$TMPDIR/dev.out")"
stop_dev

# --registry-data: schemas survive a restart
start_dev --registry-data "$T/data"
sch 0 register -r "$REGISTRY" -s kept-value "$SCHEMAS/user_key.avsc"
out_is 1
stop_dev
start_dev --registry-data "$T/data"
sch 0 list -r "$REGISTRY"
out_is kept-value
stop_dev
exit 0
