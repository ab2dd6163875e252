#!/bin/bash
# tests/registry_cli.sh: `kafkit registry` as a process: the
# schema.registry.url line, usage errors (exit 2), a taken address or a data
# directory in use (exit 1, named), exit 0 on SIGTERM, and durability across
# kill -9: ids and versions are back after a restart and new ids are fresh.
# HTTP goes through curl, or python3's urllib where curl is missing.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

HAVE_CURL=1
command -v curl >/dev/null 2>&1 || HAVE_CURL=0
[ "$HAVE_CURL" = 1 ] || command -v python3 >/dev/null 2>&1 ||
        skip "neither curl nor python3 found"

REG_PID=
trap '[ -n "$REG_PID" ] && kill -KILL "$REG_PID" 2>/dev/null; _lib_cleanup' EXIT

# http METHOD PATH [BODY]: prints "STATUS BODY" (one line).
http() {
        if [ "$HAVE_CURL" = 1 ]; then
                local out
                out=$(curl -s -X "$1" -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
                        ${3:+--data-binary "$3"} -w ' %{http_code}' "$URL$2") || return 1
                echo "${out##* } ${out% *}"
                return 0
        fi
        python3 - "$URL$2" "$1" "${3-}" <<'EOF'
import sys, urllib.request, urllib.error
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                             headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF
}

# expect "STATUS BODY" METHOD PATH [BODY]
expect() {
        local want=$1 got
        shift
        got=$(http "$@")
        [ "$got" = "$want" ] || fail "$1 $2: got '$got', expected '$want'"
}

# start_reg ARGS...: starts `kafkit registry ARGS` and waits for its URL.
start_reg() {
        local i=0

        "$KAFKIT" registry "$@" >"$TMPDIR/reg.out" 2>"$TMPDIR/reg.err" &
        REG_PID=$!
        while ! grep -q '^schema\.registry\.url=' "$TMPDIR/reg.out"; do
                kill -0 "$REG_PID" 2>/dev/null ||
                        fail "kafkit registry $* exited early: $(cat "$TMPDIR/reg.err")"
                i=$((i + 1))
                [ "$i" -le 100 ] || fail "kafkit registry $* not ready after 10 s"
                sleep 0.1
        done
        URL=$(sed -n 's/^schema\.registry\.url=//p' "$TMPDIR/reg.out")
}

expect_usage() {
        local rc

        timeout -k 10 10 "$KAFKIT" registry "$@" >"$TMPDIR/u.out" 2>"$TMPDIR/u.err"
        rc=$?
        [ "$rc" -eq 2 ] || fail "kafkit registry $*: exit $rc, expected 2"
        [ -s "$TMPDIR/u.err" ] || fail "kafkit registry $*: no message"
        [ ! -s "$TMPDIR/u.out" ] || fail "kafkit registry $*: printed on stdout"
}

# ------------------------------------------------------------- help, usage
"$KAFKIT" registry --help >"$TMPDIR/help" 2>&1 || fail "--help: exit $?"
grep -q -- "--data" "$TMPDIR/help" || fail "--help does not describe --data"
expect_usage --listen 127.0.0.1
grep -q "127.0.0.1" "$TMPDIR/u.err" || fail "bad --listen not named: $(cat "$TMPDIR/u.err")"
expect_usage --listen 127.0.0.1:70000
expect_usage --data ""
expect_usage --bogus
expect_usage --listen
expect_usage stray
expect_usage -X no.such.property=1

# ---------------------------------------------- serve, register, kill -9
DATA="$TMPDIR/data"
start_reg --listen 127.0.0.1:0 --data "$DATA"
[ "$(wc -l <"$TMPDIR/reg.out")" -eq 1 ] || fail "stdout: $(cat "$TMPDIR/reg.out")"
grep -Eq '^schema\.registry\.url=http://127\.0\.0\.1:[0-9]+$' "$TMPDIR/reg.out" ||
        fail "bad url line: $(cat "$TMPDIR/reg.out")"
ADDR=${URL#http://}

expect '200 {"compatibility":"NONE"}' PUT /config '{"compatibility":"NONE"}'
expect '200 {"id":1}' POST /subjects/s/versions '{"schema":"\"string\""}'
expect '200 {"id":2}' POST /subjects/s/versions '{"schema":"\"long\""}'
expect '200 {"id":3}' POST /subjects/gone/versions '{"schema":"\"bytes\""}'
expect '200 [1]' DELETE /subjects/gone
expect '200 [1]' DELETE '/subjects/gone?permanent=true'

# the same data directory twice: exit 1, naming it
timeout -k 10 10 "$KAFKIT" registry --listen 127.0.0.1:0 --data "$DATA" \
        >"$TMPDIR/2.out" 2>"$TMPDIR/2.err"
rc=$?
[ "$rc" -eq 1 ] || fail "second registry on $DATA: exit $rc, expected 1"
grep -q "in use" "$TMPDIR/2.err" || fail "no 'in use': $(cat "$TMPDIR/2.err")"

# a taken address: exit 1, naming it
timeout -k 10 10 "$KAFKIT" registry --listen "$ADDR" >"$TMPDIR/3.out" 2>"$TMPDIR/3.err"
rc=$?
[ "$rc" -eq 1 ] || fail "second registry on $ADDR: exit $rc, expected 1"
grep -q "cannot listen on $ADDR" "$TMPDIR/3.err" || fail "address not named: $(cat "$TMPDIR/3.err")"
[ ! -s "$TMPDIR/3.out" ] || fail "failed registry printed on stdout"

{
        kill -KILL "$REG_PID"
        wait "$REG_PID"
} 2>/dev/null
REG_PID=

start_reg --listen 127.0.0.1:0 --data "$DATA"
expect '200 ["s"]' GET /subjects
expect '200 [1,2]' GET /subjects/s/versions
expect '200 {"subject":"s","version":2,"id":2,"schema":"\"long\""}' GET /subjects/s/versions/2
expect '200 {"compatibilityLevel":"NONE"}' GET /config
# id 3 was permanently deleted before the crash: the next id is 4
expect '200 {"id":4}' POST /subjects/t/versions '{"schema":"\"double\""}'
expect '200 {"id":1}' POST /subjects/t/versions '{"schema":"\"string\""}'

# ------------------------------------------------------- SIGTERM: exit 0
kill -TERM "$REG_PID"
for i in $(seq 50); do
        kill -0 "$REG_PID" 2>/dev/null || break
        sleep 0.1
done
kill -0 "$REG_PID" 2>/dev/null && fail "kafkit registry did not stop within 5 s"
wait "$REG_PID"
rc=$?
REG_PID=
[ "$rc" -eq 0 ] || fail "kafkit registry exited $rc after SIGTERM"

# --------------------------------------------------------- in memory
start_reg --listen 127.0.0.1:0 -q
expect '200 {"id":1}' POST /subjects/m/versions '{"schema":"\"int\""}'
[ ! -s "$TMPDIR/reg.err" ] || fail "-q printed: $(cat "$TMPDIR/reg.err")"
kill -TERM "$REG_PID"
wait "$REG_PID" || fail "in-memory registry exited $? after SIGTERM"
REG_PID=
exit 0
