#!/bin/bash
# tests/dev_cli.sh: `kafkit dev` as a process: the bootstrap.servers line on
# stdout and in --bootstrap-file, --brokers, --topic, --listen (kcat reaches
# the cluster through it; a taken address is exit 1 naming it), usage errors
# (exit 2), --help, and a prompt exit 0 on SIGTERM.
# The metadata checks use kcat, skipped with a message when it is missing.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

HAVE_KCAT=1
command -v kcat >/dev/null 2>&1 || {
        HAVE_KCAT=0
        echo "kcat not found: skipping the metadata checks" >&2
}

now_ms() {
        echo $(($(date +%s%N) / 1000000))
}

# expect_usage ARGS...: `kafkit dev ARGS` must exit 2 at once with a message.
expect_usage() {
        local rc

        timeout -k 10 20 "$KAFKIT" dev --listen none "$@" >"$TMPDIR/u.out" 2>"$TMPDIR/u.err"
        rc=$?
        [ "$rc" -eq 2 ] || fail "kafkit dev $*: exit $rc, expected 2 (usage)"
        [ -s "$TMPDIR/u.err" ] || fail "kafkit dev $*: no message on stderr"
        [ ! -s "$TMPDIR/u.out" ] || fail "kafkit dev $*: printed on stdout"
}

# ------------------------------------------------------------------ --help
"$KAFKIT" dev --help >"$TMPDIR/help" 2>&1 || fail "kafkit dev --help: exit $?"
grep -q -- "--brokers" "$TMPDIR/help" || fail "--help does not describe --brokers"
grep -q "Example" "$TMPDIR/help" || fail "--help has no example"

# ------------------------------------------------------------ usage errors
expect_usage --brokers 0
expect_usage --brokers 33
expect_usage --brokers three
grep -q "three" "$TMPDIR/u.err" || fail "bad --brokers not named: $(cat "$TMPDIR/u.err")"
expect_usage --topic orders
grep -q "orders" "$TMPDIR/u.err" || fail "bad --topic not named: $(cat "$TMPDIR/u.err")"
expect_usage --topic orders:0
expect_usage --topic orders:x
expect_usage --topic :3
expect_usage --topic "bad name:3"
expect_usage --topic t:2 --topic t:3
expect_usage --listen 127.0.0.1
expect_usage --listen 127.0.0.1:65536
grep -q "127.0.0.1:65536" "$TMPDIR/u.err" || fail "bad --listen not named: $(cat "$TMPDIR/u.err")"
expect_usage --no-such-flag
expect_usage --brokers
expect_usage -X no.such.property=1
expect_usage stray-argument

# ------------------------------------- bootstrap line, --brokers, --topic
start_dev --brokers 3 --topic t:7 --topic other.topic:2
[ "$(wc -l <"$TMPDIR/dev.out")" -eq 2 ] ||
        fail "stdout is not two lines: $(cat "$TMPDIR/dev.out")"
head -n 1 "$TMPDIR/dev.out" |
        grep -Eq '^bootstrap\.servers=127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}$' ||
        fail "bad stdout for 3 brokers: $(cat "$TMPDIR/dev.out")"
sed -n 2p "$TMPDIR/dev.out" | grep -Eq '^schema\.registry\.url=http://127\.0\.0\.1:[0-9]+$' ||
        fail "no schema.registry.url line: $(cat "$TMPDIR/dev.out")"
cmp -s "$TMPDIR/dev.out" "$TMPDIR/bs" ||
        fail "--bootstrap-file differs from stdout: $(cat "$TMPDIR/bs")"
[ "$(echo "$BROKERS" | tr , '\n' | wc -l)" -eq 3 ] || fail "BROKERS=$BROKERS"

if [ "$HAVE_KCAT" = 1 ]; then
        kcat -b "$BROKERS" -L -t t -J -m 10 >"$TMPDIR/md.json" 2>"$TMPDIR/kcat.err" ||
                fail "kcat -L -t t: $(cat "$TMPDIR/kcat.err")"
        n=$(grep -o '"partition":' "$TMPDIR/md.json" | wc -l)
        [ "$n" -eq 7 ] || fail "topic t has $n partitions, expected 7: $(cat "$TMPDIR/md.json")"
        kcat -b "$BROKERS" -L -m 10 >"$TMPDIR/md.txt" 2>/dev/null || fail "kcat -L failed"
        grep -q "^ 3 brokers:" "$TMPDIR/md.txt" ||
                fail "expected 3 brokers: $(cat "$TMPDIR/md.txt")"
        kcat -b "$BROKERS" -L -t other.topic -J -m 10 >"$TMPDIR/md.json" 2>/dev/null ||
                fail "kcat -L -t other.topic failed"
        n=$(grep -o '"partition":' "$TMPDIR/md.json" | wc -l)
        [ "$n" -eq 2 ] || fail "other.topic has $n partitions, expected 2"
fi

# ------------------------------------------------------- SIGTERM: exit 0
t0=$(now_ms)
stop_dev
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -lt 5000 ] || fail "kafkit dev took ${elapsed} ms to stop"
[ ! -e "$TMPDIR/bs" ] || fail "--bootstrap-file left behind after exit"

# --------------------------------------------------------------- --listen
# A free port: try a few random ones (a taken one fails with exit 1).
port=
for attempt in 1 2 3 4 5 6 7 8; do
        p=$((20000 + RANDOM % 30000))
        rm -f "$TMPDIR/bs"
        "$KAFKIT" dev --brokers 2 --listen "127.0.0.1:$p" --registry 127.0.0.1:0 \
                --bootstrap-file "$TMPDIR/bs" \
                >"$TMPDIR/dev.out" 2>"$TMPDIR/dev.err" &
        DEV_PID=$!
        for i in $(seq 200); do
                [ -s "$TMPDIR/bs" ] && break
                kill -0 "$DEV_PID" 2>/dev/null || break
                sleep 0.1
        done
        if [ -s "$TMPDIR/bs" ]; then
                port=$p
                break
        fi
        wait "$DEV_PID"
        DEV_PID=
        grep -q "cannot listen on 127.0.0.1:$p" "$TMPDIR/dev.err" ||
                fail "kafkit dev --listen 127.0.0.1:$p failed: $(cat "$TMPDIR/dev.err")"
done
[ -n "$port" ] || fail "no free port found for --listen"
grep -q "127.0.0.1:$port" "$TMPDIR/dev.err" ||
        fail "startup message does not name 127.0.0.1:$port: $(cat "$TMPDIR/dev.err")"

if [ "$HAVE_KCAT" = 1 ]; then
        kcat -b "127.0.0.1:$port" -L -m 10 >"$TMPDIR/md.txt" 2>"$TMPDIR/kcat.err" ||
                fail "kcat -L through --listen: $(cat "$TMPDIR/kcat.err")"
        grep -q "2 brokers" "$TMPDIR/md.txt" ||
                fail "kcat through --listen: $(cat "$TMPDIR/md.txt")"
        echo "through-the-proxy" | kcat -b "127.0.0.1:$port" -P -t relay ||
                fail "kcat -P through --listen failed"
        got=$(kcat -b "127.0.0.1:$port" -C -t relay -o beginning -c 1 -e -q 2>/dev/null)
        [ "$got" = "through-the-proxy" ] || fail "consumed \"$got\" through --listen"
else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
                fail "nothing accepts connections on 127.0.0.1:$port"
fi

# The same address again: exit 1, naming it and suggesting --listen.
timeout -k 10 20 "$KAFKIT" dev --listen "127.0.0.1:$port" --registry none \
        >"$TMPDIR/2.out" 2>"$TMPDIR/2.err"
rc=$?
[ "$rc" -eq 1 ] || fail "second kafkit dev on 127.0.0.1:$port: exit $rc, expected 1"
grep -q "127.0.0.1:$port" "$TMPDIR/2.err" ||
        fail "taken address not named: $(cat "$TMPDIR/2.err")"
grep -q -- "--listen" "$TMPDIR/2.err" ||
        fail "no hint to use --listen: $(cat "$TMPDIR/2.err")"
[ ! -s "$TMPDIR/2.out" ] || fail "failed kafkit dev printed on stdout: $(cat "$TMPDIR/2.out")"

stop_dev
exit 0
