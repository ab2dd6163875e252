#!/bin/bash
# tests/cli_roundtrip.sh: `kafkit produce`, `consume` and `list` end to end on
# a dev cluster: keys, headers, delimiters, files, empty and unterminated
# records, binary data, -c, -o, groups resuming from their commits, SIGINT,
# formats, list as text and JSON, usage errors (exit 2) and runtime failures
# (exit 1, in bounded time), and records crossing between kafkit and kcat
# (those checks are skipped with a message when kcat is missing).

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

HAVE_KCAT=1
command -v kcat >/dev/null 2>&1 || {
        HAVE_KCAT=0
        echo "kcat not found: skipping the kcat cross-checks" >&2
}

T=$TMPDIR

# expect_rc CODE SECONDS ARGS...: `kafkit ARGS` must exit CODE within
# SECONDS; stdout and stderr are kept in $T/out and $T/err.
expect_rc() {
        local want=$1 secs=$2 rc
        shift 2
        timeout "$secs" "$KAFKIT" "$@" >"$T/out" 2>"$T/err" </dev/null
        rc=$?
        [ "$rc" -ne 124 ] || fail "kafkit $*: still running after $secs s"
        [ "$rc" -eq "$want" ] ||
                fail "kafkit $*: exit $rc, expected $want; stderr: $(head -c 600 "$T/err")"
}

# expect_usage ARGS...: a usage error: exit 2 at once, a message, no output.
expect_usage() {
        expect_rc 2 10 "$@"
        [ -s "$T/err" ] || fail "kafkit $*: usage error without a message"
        [ ! -s "$T/out" ] || fail "kafkit $*: usage error printed on stdout"
}

# same FILE_GOT FILE_WANT WHAT: byte-exact comparison.
same() {
        cmp -s "$1" "$2" && return 0
        echo "--- want ($3)" >&2
        od -c "$2" | head -20 >&2
        echo "--- got" >&2
        od -c "$1" | head -20 >&2
        fail "$3: output differs"
}

produce() { timeout -k 10 30 "$KAFKIT" produce -b "$BROKERS" "$@"; }
consume() { timeout -k 10 30 "$KAFKIT" consume -b "$BROKERS" -e "$@"; }
# The dev cluster lets a group's next member in only after the previous
# member's session.timeout.ms (45 s by default), even when it left cleanly.
GSESS="-X session.timeout.ms=6000"

start_dev --topic rt:1 --topic delim:1 --topic nul:1 --topic files:1 \
        --topic cnt:1 --topic grp:1 --topic sig:1 --topic big:1 \
        --topic tokafkit:1 --topic tokcat:1 --topic multi:3 --topic full:1

# ------------------------------------------------- keys, headers, odd lines
# kcat's rules: empty records skipped, no key delimiter -> null key and the
# whole line as value, CR kept, the last record needs no newline.
printf 'k1:v1\nk2:v:with:colons\nnokey\n\n:emptykey\nk3:\ncrlf:x\r\n\ntail:end' |
        produce -t rt -K : -H h1=one -H h2=a=b -H nullh ||
        fail "produce with keys and headers: exit $?"
consume -t rt -o beginning -f '%k=%s|%h\n' >"$T/got" || fail "consume rt: exit $?"
H='h1=one,h2=a=b,nullh=NULL'
printf '%s\n' "k1=v1|$H" "k2=v:with:colons|$H" "=nokey|$H" "=emptykey|$H" \
        "k3=|$H" "crlf=x"$'\r'"|$H" "tail=end|$H" >"$T/want"
same "$T/got" "$T/want" "keys and headers"

# Sizes tell null (-1) from empty (0); %t %p %o name the record.
consume -t rt -f '%t %p %o %K %S\n' >"$T/got" || fail "consume rt sizes: exit $?"
printf '%s\n' "rt 0 0 2 2" "rt 0 1 2 13" "rt 0 2 -1 5" "rt 0 3 0 8" \
        "rt 0 4 2 0" "rt 0 5 4 2" "rt 0 6 4 3" >"$T/want"
same "$T/got" "$T/want" "sizes, topic, partition, offset"

consume -t rt -c 1 -f '%T %% %s\n' >"$T/got" || fail "consume %T: exit $?"
grep -Eq '^[0-9]{13} % v1$' "$T/got" || fail "%T/%%: got $(cat "$T/got")"

# Default output: the value and a newline; -K/-D change the separators.
consume -t rt -c 2 >"$T/got" || fail "consume default format: exit $?"
printf 'v1\nv:with:colons\n' >"$T/want"
same "$T/got" "$T/want" "default format"
consume -t rt -c 2 -K '\t' -D '|' >"$T/got" || fail "consume -K -D: exit $?"
printf 'k1\tv1|k2\tv:with:colons|' >"$T/want"
same "$T/got" "$T/want" "consume -K -D"

# --------------------------------------------------------------- delimiters
printf 'a;;b;;;;c\n;;' | produce -t delim -D ';;' || fail "produce -D ';;': exit $?"
consume -t delim -f '[%s]\n' >"$T/got" || fail "consume delim: exit $?"
printf '[a]\n[b]\n[c\n]\n' >"$T/want"
same "$T/got" "$T/want" "-D with a two-byte delimiter"

printf 'x\0y\tz\0' | produce -t nul -D '\x00' -K '\t' || fail "produce -D '\\x00': exit $?"
consume -t nul -f '%k|%s\n' >"$T/got" || fail "consume nul: exit $?"
printf '|x\ny|z\n' >"$T/want"
same "$T/got" "$T/want" "-D \\x00 and -K \\t"

# ------------------------------------------------------------ files, -c, -o
printf 'f1-a\nf1-b\n' >"$T/f1"
printf 'f2-a\nf2-b' >"$T/f2" # no trailing newline
printf 'stdin-a\n' | produce -t files "$T/f1" - "$T/f2" || fail "produce files: exit $?"
consume -t files >"$T/got" || fail "consume files: exit $?"
printf 'f1-a\nf1-b\nstdin-a\nf2-a\nf2-b\n' >"$T/want"
same "$T/got" "$T/want" "files and - as input, in order"

consume -t files -c 2 >"$T/got" || fail "consume -c 2: exit $?"
printf 'f1-a\nf1-b\n' >"$T/want"
same "$T/got" "$T/want" "-c 2"
consume -t files -o -2 >"$T/got" || fail "consume -o -2: exit $?"
printf 'f2-a\nf2-b\n' >"$T/want"
same "$T/got" "$T/want" "-o -2"
consume -t files -o 3 >"$T/got" || fail "consume -o 3: exit $?"
printf 'f2-a\nf2-b\n' >"$T/want"
same "$T/got" "$T/want" "-o 3"
consume -t files -o end >"$T/got" || fail "consume -o end: exit $?"
[ ! -s "$T/got" ] || fail "-o end -e printed records: $(cat "$T/got")"

seq 1 5 | produce -t cnt -c 2 || fail "produce -c 2: exit $?"
consume -t cnt >"$T/got" || fail "consume cnt: exit $?"
printf '1\n2\n' >"$T/want"
same "$T/got" "$T/want" "produce -c 2"

expect_rc 1 30 produce -b "$BROKERS" -t files "$T/no-such-file"
grep -q "no-such-file" "$T/err" || fail "missing input file not named: $(cat "$T/err")"

# ---------------------------------------------------- large and binary data
python3 - "$T/big.in" <<'PY' || fail "python3 failed"
import sys
data = bytes(b for b in range(256) if b != 10) + b"\n" + b"y" * 900000 + b"\n"
open(sys.argv[1], "wb").write(data)
PY
produce -t big "$T/big.in" || fail "produce binary and 900 KB lines: exit $?"
consume -t big -f '%s\n' >"$T/got" || fail "consume big: exit $?"
same "$T/got" "$T/big.in" "binary and 900 KB records"

# --------------------------------------------------------- groups resuming
printf 'g1\ng2\ng3\n' | produce -t grp || fail "produce grp: exit $?"
consume -t grp -G cli-group $GSESS >"$T/got" || fail "first group read: exit $?"
printf 'g1\ng2\ng3\n' >"$T/want"
same "$T/got" "$T/want" "first group read starts at the beginning"
consume -t grp -G cli-group $GSESS >"$T/got" || fail "second group read: exit $?"
[ ! -s "$T/got" ] || fail "second group read did not resume: $(cat "$T/got")"
printf 'g4\ng5\n' | produce -t grp || fail "produce grp again: exit $?"
consume -t grp -G cli-group $GSESS >"$T/got" || fail "third group read: exit $?"
printf 'g4\ng5\n' >"$T/want"
same "$T/got" "$T/want" "group read after new records"
consume -t '^gr.$' -G other-group $GSESS -f '%t %s\n' >"$T/got" || fail "regex subscription: exit $?"
printf 'grp g1\ngrp g2\ngrp g3\ngrp g4\ngrp g5\n' >"$T/want"
same "$T/got" "$T/want" "-G with a ^regex topic"

# -G commits only records whose output was written: with stdout on
# /dev/full none is, so nothing may be committed and a rerun reads all 100.
seq 1 100 | produce -t full || fail "produce full: exit $?"
consume -t full -G full-group $GSESS >/dev/full 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "consume -G >/dev/full: exit $rc: $(cat "$T/err")"
grep -qF 'No space left on device' "$T/err" || fail "consume -G >/dev/full: $(cat "$T/err")"
timeout -k 10 30 "$KAFKIT" lag -b "$BROKERS" -G full-group -t full -J >"$T/lag" 2>/dev/null
grep -qF '"partition":0,"committed":null,' "$T/lag" ||
        fail "consume -G >/dev/full committed unwritten records: $(cat "$T/lag")"
consume -t full -G full-group $GSESS >"$T/got" || fail "consume -G after >/dev/full: exit $?"
seq 1 100 >"$T/want"
same "$T/got" "$T/want" "consume -G after >/dev/full reads every record"

# SIGINT stops a running group consumer cleanly: output flushed, offsets
# committed, exit 0.
printf 's1\ns2\n' | produce -t sig || fail "produce sig: exit $?"
"$KAFKIT" consume -b "$BROKERS" -t sig -G sig-group $GSESS >"$T/sig.out" 2>"$T/sig.err" &
pid=$!
for _ in $(seq 200); do
        [ "$(wc -l <"$T/sig.out")" -ge 2 ] && break
        sleep 0.1
done
kill -INT "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "consume ignored SIGINT for 10 s"; }
wait "$pid" || fail "consume after SIGINT: exit $?; $(cat "$T/sig.err")"
printf 's1\ns2\n' >"$T/want"
same "$T/sig.out" "$T/want" "output before SIGINT"
consume -t sig -G sig-group $GSESS >"$T/got" || fail "read after SIGINT: exit $?"
[ ! -s "$T/got" ] || fail "offsets not committed on SIGINT: $(cat "$T/got")"

# -------------------------------------------------------------------- list
expect_rc 0 30 list -b "$BROKERS"
grep -q '^ 1 brokers:' "$T/out" || fail "list: no broker count: $(cat "$T/out")"
grep -q '^  broker 1 at 127.0.0.1:' "$T/out" || fail "list: no broker 1"
grep -q '^  topic "multi" with 3 partitions:' "$T/out" || fail "list: no topic multi"
grep -q '^    partition 2, leader 1, replicas: 1, isrs: 1$' "$T/out" ||
        fail "list: partition line: $(cat "$T/out")"
expect_rc 0 30 list -b "$BROKERS" -t multi -J
python3 -m json.tool "$T/out" >/dev/null || fail "list -J: invalid JSON: $(cat "$T/out")"
python3 - "$T/out" <<'PY' || fail "list -J: wrong content: $(cat "$T/out")"
import json, sys
md = json.load(open(sys.argv[1]))
assert md["query"]["topic"] == "multi"
assert [b["id"] for b in md["brokers"]] == [1]
(t,) = [t for t in md["topics"] if t["topic"] == "multi"]
assert [p["partition"] for p in t["partitions"]] == [0, 1, 2]
assert all(p["leader"] == 1 and p["replicas"] == [{"id": 1}] for p in t["partitions"])
PY

# Brokers from KAFKIT_BROKERS when there is no -b, and from a -F file.
KAFKIT_BROKERS=$BROKERS expect_rc 0 30 list -t multi
grep -q '"multi" with 3' "$T/out" || fail "KAFKIT_BROKERS not used"
echo "bootstrap.servers=$BROKERS" >"$T/props"
expect_rc 0 30 list -F "$T/props" -t multi
grep -q '"multi" with 3' "$T/out" || fail "-F file not used"

# ---------------------------------------------------------- usage: exit 2
expect_usage
expect_usage nosuchcommand
grep -q "nosuchcommand" "$T/err" || fail "unknown command not named"
expect_usage produce
expect_usage produce -t x -D ''
expect_usage produce -t x -D '\q'
expect_usage produce -t x -p many
expect_usage produce -t x --bogus
expect_usage produce -t x -X no.such.property=1
grep -q "no.such.property" "$T/err" || fail "bad -X not named: $(cat "$T/err")"
expect_usage consume
expect_usage consume -t x -o sometime
expect_usage consume -t x -f '%Z'
expect_usage consume -t x -G g -p 0
expect_usage consume -t x -G g -o 5
expect_usage consume -t x -t y
expect_usage consume -t x -c 0
expect_usage list extra-argument
expect_usage list -m 0
expect_rc 0 10 --version
grep -q "librdkafka" "$T/out" || fail "--version without librdkafka: $(cat "$T/out")"
for cmd in produce consume list; do
        expect_rc 0 10 "$cmd" --help
        grep -q "Usage: kafkit $cmd" "$T/out" || fail "$cmd --help"
done
expect_rc 0 10 --help
grep -q "consume" "$T/out" || fail "--help does not list consume"

# ------------------------------------------- runtime failures: exit 1, soon
expect_rc 1 30 consume -b "$BROKERS" -t no-such-topic -e
grep -q "no-such-topic" "$T/err" || fail "unknown topic not named: $(cat "$T/err")"
expect_rc 1 30 consume -b "$BROKERS" -t rt -p 7 -e
# A dead cluster is found by the topic lookup (-m), before anything is sent.
echo x | timeout -k 10 30 "$KAFKIT" produce -q -b 127.0.0.1:1 -t x -m 2 >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "produce to a dead broker: exit $rc, expected 1"
grep -q 'topic "x"' "$T/err" || fail "produce to a dead broker: topic not named: $(cat "$T/err")"
# -p past the last partition is refused before sending.
echo x | timeout -k 10 30 "$KAFKIT" produce -q -b "$BROKERS" -t rt -p 7 >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "produce -p 7 to a 1-partition topic: exit $rc, expected 1"
grep -q "partition 7 does not exist" "$T/err" || fail "produce -p 7: $(cat "$T/err")"
# Records that fail are counted: 2 of 3 are larger than message.max.bytes.
{ printf 'small\n'; head -c 3000 /dev/zero | tr '\0' a; echo; head -c 3000 /dev/zero | tr '\0' b; echo; } |
        timeout -k 10 30 "$KAFKIT" produce -q -b "$BROKERS" -t rt -X message.max.bytes=1000 \
        >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "produce of oversized records: exit $rc, expected 1"
grep -q "2 of 3 records failed" "$T/err" || fail "produce failure count: $(cat "$T/err")"
expect_rc 1 30 consume -q -b 127.0.0.1:1 -t x -e -X socket.timeout.ms=2000
expect_rc 1 30 list -q -b 127.0.0.1:1 -m 2

# ------------------------------------------------------ kcat cross-checks
if [ "$HAVE_KCAT" -eq 1 ]; then
        fmt='%k=%s|%h\n'
        printf 'a:1\nb:2\nnokey\nc:\n' | produce -t tokcat -K : -H x=y ||
                fail "produce tokcat: exit $?"
        consume -t tokcat -f "$fmt" >"$T/want" || fail "consume tokcat: exit $?"
        timeout -k 10 30 kcat -C -q -e -b "$BROKERS" -t tokcat -f "$fmt" >"$T/got" ||
                fail "kcat -C: exit $?"
        same "$T/got" "$T/want" "kafkit-produced records read by kcat"

        printf 'a:1\nb:2\nnokey\nc:\n' |
                timeout -k 10 30 kcat -P -q -b "$BROKERS" -t tokafkit -K : -H x=y ||
                fail "kcat -P: exit $?"
        timeout -k 10 30 kcat -C -q -e -b "$BROKERS" -t tokafkit -f "$fmt" >"$T/want" ||
                fail "kcat -C tokafkit: exit $?"
        consume -t tokafkit -f "$fmt" >"$T/got" || fail "consume tokafkit: exit $?"
        same "$T/got" "$T/want" "kcat-produced records read by kafkit"
fi

stop_dev
exit 0
