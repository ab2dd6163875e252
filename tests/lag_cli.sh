#!/bin/bash
# lag_cli.sh: `kafkit lag` reports the exact committed offsets, watermarks
# and lag of consumer groups that committed with `kafkit consume -G`, as
# text and JSON, with and without -t; a group that committed nothing, a
# topic that does not exist (and is not created by asking), an unreachable
# cluster and usage errors give the documented output and exit codes.
. "$top_srcdir/tests/lib.sh"

start_dev --topic lagt:3 --topic single:1 --topic idle:2
B=$BROKERS

seq 1 10 | kcat -b "$B" -P -t lagt -p 0 || fail "kcat -P lagt/0"
seq 1 5 | kcat -b "$B" -P -t lagt -p 1 || fail "kcat -P lagt/1"
seq 1 20 | kcat -b "$B" -P -t single -p 0 || fail "kcat -P single/0"

# g1 reads all 15 records of lagt (partitions 0 and 1; 2 is empty, so no
# commit there); g2 reads 7 of single's 20. Both commit when they stop.
"$KAFKIT" consume -b "$B" -t lagt -G g1 -c 15 -q -X session.timeout.ms=6000 \
        >"$TMPDIR/g1.out" 2>"$TMPDIR/g1.err" &
g1=$!
"$KAFKIT" consume -b "$B" -t single -G g2 -c 7 -q -X session.timeout.ms=6000 \
        >"$TMPDIR/g2.out" 2>"$TMPDIR/g2.err" &
g2=$!
wait $g1 || fail "consume g1: $(cat "$TMPDIR/g1.err")"
wait $g2 || fail "consume g2: $(cat "$TMPDIR/g2.err")"
[ "$(wc -l <"$TMPDIR/g1.out")" -eq 15 ] || fail "g1 consumed $(wc -l <"$TMPDIR/g1.out") records"
[ "$(wc -l <"$TMPDIR/g2.out")" -eq 7 ] || fail "g2 consumed $(wc -l <"$TMPDIR/g2.out") records"

# more records after the commits: lagt/0 3 more, lagt/2 7 (never committed)
seq 1 3 | kcat -b "$B" -P -t lagt -p 0 || fail "kcat -P lagt/0 again"
seq 1 7 | kcat -b "$B" -P -t lagt -p 2 || fail "kcat -P lagt/2"

lag() { # EXPECTED_RC ARGS... -> $TMPDIR/lag.out, lag.err
        local want=$1 rc
        shift
        "$KAFKIT" lag "$@" >"$TMPDIR/lag.out" 2>"$TMPDIR/lag.err"
        rc=$?
        [ "$rc" -eq "$want" ] ||
                fail "kafkit lag $*: exit $rc, expected $want: $(cat "$TMPDIR/lag.err")"
}
expect() { # WHAT TEXT
        [ "$(cat "$TMPDIR/lag.out")" = "$2" ] || {
                printf 'got:\n%s\nexpected:\n%s\n' "$(cat "$TMPDIR/lag.out")" "$2" >&2
                fail "$1"
        }
}

# Without -t: every topic, only the partitions the group committed.
lag 0 -b "$B" -G g1
expect "g1, all topics" "TOPIC  PARTITION  COMMITTED  LOW  HIGH  LAG
lagt           0         10    0    13    3
lagt           1          5    0     5    0
TOTAL                                     3"

# With -t: every partition; lagt/2 has no commit: "-", lag = high - low.
lag 0 -b "$B" -G g1 -t lagt
expect "g1 -t lagt" "TOPIC  PARTITION  COMMITTED  LOW  HIGH  LAG
lagt           0         10    0    13    3
lagt           1          5    0     5    0
lagt           2          -    0     7    7
TOTAL                                    10"

lag 0 -b "$B" -G g1 -t lagt -J
expect "g1 -t lagt -J" '{"group":"g1","partitions":[{"topic":"lagt","partition":0,"committed":10,"low":0,"high":13,"lag":3},{"topic":"lagt","partition":1,"committed":5,"low":0,"high":5,"lag":0},{"topic":"lagt","partition":2,"committed":null,"low":0,"high":7,"lag":7}],"total_lag":10}'

lag 0 -b "$B" -G g2 -J
expect "g2 -J" '{"group":"g2","partitions":[{"topic":"single","partition":0,"committed":7,"low":0,"high":20,"lag":13}],"total_lag":13}'

# Two topics, sorted by name whatever the -t order; -t repeated is one.
lag 0 -b "$B" -G g2 -t single -t idle -t single
expect "g2 -t single -t idle" "TOPIC   PARTITION  COMMITTED  LOW  HIGH  LAG
idle            0          -    0     0    0
idle            1          -    0     0    0
single          0          7    0    20   13
TOTAL                                     13"

# A group with no commits (or no such group): empty, a note, exit 0.
lag 0 -b "$B" -G nobody
expect "unknown group" "TOPIC  PARTITION  COMMITTED  LOW  HIGH  LAG
TOTAL                                     0"
grep -q 'group "nobody" has no committed offsets' "$TMPDIR/lag.err" ||
        fail "no note for an unknown group: $(cat "$TMPDIR/lag.err")"
lag 0 -b "$B" -G nobody -q -J
expect "unknown group -J" '{"group":"nobody","partitions":[],"total_lag":0}'
[ ! -s "$TMPDIR/lag.err" ] || fail "-q still printed: $(cat "$TMPDIR/lag.err")"

# A -t topic that does not exist: exit 1, and asking did not create it.
lag 1 -b "$B" -G g1 -t nosuch
grep -q 'topic nosuch: not in the cluster' "$TMPDIR/lag.err" || fail "nosuch: $(cat "$TMPDIR/lag.err")"
kcat -b "$B" -L | grep -q '"nosuch"' && fail "kafkit lag -t nosuch created the topic"

# An unreachable cluster: exit 1 naming what failed.
lag 1 -b 127.0.0.1:1 -G g1 -m 1 -q
grep -q 'metadata' "$TMPDIR/lag.err" || fail "broker down: $(cat "$TMPDIR/lag.err")"

# Usage errors: exit 2; --help: exit 0.
lag 2 -b "$B"
grep -q -- '-G GROUP is required' "$TMPDIR/lag.err" || fail "no -G: $(cat "$TMPDIR/lag.err")"
lag 2 -b "$B" -G g1 -m x
lag 2 -b "$B" -G g1 extra
lag 2 -b "$B" -G g1 --bogus
lag 0 --help
grep -q 'lag = high - low' "$TMPDIR/lag.out" || fail "--help does not explain '-' rows"
"$KAFKIT" help lag >/dev/null || fail "kafkit help lag"

stop_dev
