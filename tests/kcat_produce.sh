#!/usr/bin/env bash
# kcat_produce.sh: kcat mode -P against Debian's kcat 1.7.1 on a dev cluster.
#
# Each case produces the same input with the same flags once with kcat (to
# topic kc_NAME) and once with kafkit (to kf_NAME), then compares stdout,
# the exit code and what landed on the topics, read back with kcat -C -J:
# every record's partition (unless --bag: empty or null keys land on a
# random partition), order within the partition, key, value and headers.
# Then kafkit-only checks: the documented deviations (-T, -p -1, signals),
# transactions, Avro in kcat mode, --stats.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity_lib.sh"

# The libtool wrapper ./kafkit costs ~0.2 s a start: run the real binary.
if [ -x "$top_builddir/.libs/kafkit" ] && [ -d "$top_builddir/src/.libs" ]; then
        KAFKIT=$top_builddir/.libs/kafkit
        export LD_LIBRARY_PATH="$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

start_dev
W=$TMPDIR/w
mkdir -p "$W"
CASES=0

# The records of TOPIC, one per line: "PARTITION {kcat -J envelope without
# topic, offset, timestamp and broker}", by partition, then offset.
dump() {
        kcat -b "$BROKERS" -C -t "$1" -e -q -J -o beginning \
                -X fetch.wait.max.ms=5 -X fetch.error.backoff.ms=5 |
                LC_ALL=C sed -e 's/^{"topic":"[^"]*","partition":\([0-9]*\),"offset":\([0-9]*\),"tstype":"[a-z]*","ts":[0-9]*,"broker":-*[0-9]*,/\1 \2 {/' |
                LC_ALL=C sort -s -k1,1n -k2,2n | cut -d' ' -f1,3-
}

# run WHO NAME IN ARGS...: one producer run into k{c,f}_NAME.
run() {
        local who=$1 name=$2 in=$3 prog=kcat t=kc_$2
        shift 3
        if [ "$who" = kafkit ]; then prog=$KAFKIT; t=kf_$name; fi
        if [ -n "${PP_SLOW:-}" ]; then  # the input one second late, through a pipe
                { sleep 1; cat "$in"; } 2>/dev/null |
                        timeout -k 10 60 "$prog" -b "$BROKERS" -t "$t" "$@" \
                                >"$W/$name.$who.out" 2>"$W/$name.$who.err"
        else
                timeout -k 10 60 "$prog" -b "$BROKERS" -t "$t" "$@" <"$in" \
                        >"$W/$name.$who.out" 2>"$W/$name.$who.err"
        fi
        echo $? >"$W/$name.$who.rc"
}

show() { # NAME
        local w
        for w in kcat kafkit; do
                echo "  $w: exit $(cat "$W/$1.$w.rc"), stderr:" >&2
                head -5 "$W/$1.$w.err" | sed 's/^/    /' >&2
        done
}

# pp NAME [--stdin FILE] [--bag] [--no-topic] -- ARGS...
pp() {
        local name=$1 in=/dev/null bag= notopic= a b
        shift
        while [ "$1" != -- ]; do
                case $1 in
                --stdin) in=$2; shift 2 ;;
                --bag) bag=1; shift ;;
                --no-topic) notopic=1; shift ;;
                *) fail "pp $name: bad option $1" ;;
                esac
        done
        shift
        run kcat "$name" "$in" "$@"
        run kafkit "$name" "$in" "$@"
        CASES=$((CASES + 1))
        if ! cmp -s "$W/$name.kcat.rc" "$W/$name.kafkit.rc"; then
                show "$name"
                fail "$name: exit codes differ"
        fi
        if ! cmp -s "$W/$name.kcat.out" "$W/$name.kafkit.out"; then
                show "$name"
                fail "$name: stdout differs"
        fi
        parity_errcheck "$name" "$W"
        [ -n "$notopic" ] && return 0
        dump "kc_$name" >"$W/$name.kcat.topic" &
        dump "kf_$name" >"$W/$name.kafkit.topic"
        wait $!
        if [ -n "$bag" ]; then
                for a in kcat kafkit; do
                        cut -d' ' -f2- "$W/$name.$a.topic" | LC_ALL=C sort >"$W/$name.$a.bag"
                done
                a=$W/$name.kcat.bag b=$W/$name.kafkit.bag
        else
                a=$W/$name.kcat.topic b=$W/$name.kafkit.topic
        fi
        if ! cmp -s "$a" "$b"; then
                show "$name"
                diff "$a" "$b" | head -10 >&2
                fail "$name: the records on the topics differ"
        fi
}

# records NAME: the number of records kafkit's run left on kf_NAME.
records() { wc -l <"$W/$1.kafkit.topic"; }

# ---------------------------------------------------------------- inputs
printf 'one\ntwo\n\n\nthree with spaces\n\tfour\nlast-no-newline' >"$W/lines"
printf 'k1:v1\nk2:v2:with:colons\n:empty-key\nk4:\n:\nnokey\n\nk1:again' >"$W/keyed"
printf 'a\r\nb\r\n\r\nc' >"$W/crlf"
printf 'x\0y\nNUL\0\0inside\n\0\n\001\002\377\n' >"$W/binary"
printf 'r1\0r2 with\nnewline\0\0r3\0' >"$W/nul-delimited"
printf 'a::b:c::::d:::e::' >"$W/multi"
printf 'k=>v=>w||k2=>||=>v3||plain||' >"$W/multikey"
: >"$W/empty"
printf '\n\n\n' >"$W/newlines"
for i in $(seq 1 200); do echo "key-$i:value-$i"; done >"$W/keys200"
seq 1 50 | sed 's/^/k/;s/$/:v/' >"$W/keys50"
head -c 1048576 /dev/zero | tr '\0' 'x' >"$W/big"
{ cat "$W/big"; echo; echo after; } >"$W/bigline"
{ head -c 900000 "$W/big"; echo; echo after; } >"$W/900k"
printf 'file one\nwith two lines\n' >"$W/f1"
printf 'bin\0ary\377' >"$W/f2"
: >"$W/f3"

# ------------------------------------------------------------- splitting
pp lines --stdin "$W/lines" -- -P -p 0
pp lines-keyed --stdin "$W/keyed" -- -P -p 0 -K :
pp fixed-key --stdin "$W/keyed" -- -P -p 0 -K : -k FIX
pp fixed-key-only --stdin "$W/lines" -- -P -p 1 -k FIX
pp null-z --stdin "$W/keyed" -- -P -p 0 -K : -Z
pp null-z-fixed --stdin "$W/keyed" -- -P -p 0 -K : -Z -k FIX
pp null-z-nokd --stdin "$W/lines" -- -P -p 0 -Z
pp headers --stdin "$W/keyed" -- -P -p 2 -K : -H h1=x -H h2 -H 'h3=' -H 'h1=dup=y'
pp crlf --stdin "$W/crlf" -- -P -p 0
pp binary --stdin "$W/binary" -- -P -p 0
pp multi-delim --stdin "$W/multi" -- -P -p 0 -D '::'
pp multi-keydelim --stdin "$W/multikey" -- -P -p 0 -D '||' -K '=>'
pp empty --stdin "$W/empty" -- -P -p 0
pp only-newlines --stdin "$W/newlines" -- -P -p 0
pp count --stdin "$W/lines" -- -P -p 0 -c 3
pp count-keyed --stdin "$W/keyed" -- -P -p 0 -K : -c 2
[ "$(records count)" -eq 3 ] || fail "count: -c 3 left $(records count) records"
# -c stops reading: input past the first read (1 MB) is not "too large"
seq 1 300000 >"$W/big-lines"
pp count-big --stdin "$W/big-lines" -- -P -p 0 -c 5
[ "$(records count-big)" -eq 5 ] || fail "count-big: -c 5 left $(records count-big) records"

# ----------------------------------------------------- partitions, codecs
# No -p: librdkafka's consistent_random (CRC32 of the key), as kcat uses.
pp partitioner --stdin "$W/keys200" -- -P -K :
pp partitioner-empty-keys --stdin "$W/keyed" --bag -- -P -K :
pp partitioner-fixed --stdin "$W/lines" -- -P -k same-key-for-all
for z in gzip snappy lz4 zstd; do
        pp "codec-$z" --stdin "$W/keys50" -- -P -K : -z "$z"
done
pp line-mode -- -P -p 0 -l "$W/keyed" -K :
pp line-mode-missing --no-topic -- -P -p 0 -l "$W/does-not-exist"
pp files -- -P -p 0 -k fk "$W/f1" "$W/f2" "$W/f3" "$W/lines"
[ "$(records files)" -eq 3 ] || fail "files: expected 3 records (empty file skipped)"
pp files-one-missing -- -P -p 0 "$W/f1" "$W/nope" "$W/f2"
pp files-all-missing --no-topic -- -P -p 0 "$W/nope" "$W/nope2"
pp line-900k --stdin "$W/900k" -- -P -p 0
pp line-1m-too-large --stdin "$W/bigline" -- -P -p 0
pp line-1m --stdin "$W/bigline" -- -P -p 0 -X message.max.bytes=2000000
grep -q 'Input is too large, maximum size is 1000001' "$W/line-1m-too-large.kafkit.err" ||
        fail "line-1m-too-large: no 'Input is too large' error"

# ------------------------------------------------------------ errors
# A partition past the last: once the topic's metadata is in, sending
# fails at once ("Failed to produce message (3 bytes): Local: Unknown
# partition"). kafkit has the metadata before its first send; kcat gets it
# while it waits for input, so each run reads the lines one second late
# through a pipe (earlier, kcat queues them and reports failed deliveries).
PP_SLOW=1 pp bad-partition --stdin "$W/lines" --no-topic -- -P -p 9
[ "$(cat "$W/bad-partition.kafkit.rc")" = 1 ] || fail "bad-partition: exit code not 1"
grep -q 'Unknown partition' "$W/bad-partition.kafkit.err" ||
        fail "bad-partition: no delivery error: $(head -3 "$W/bad-partition.kafkit.err")"
# A cluster that is not there: both stop at once with kcat's message.
REAL_BROKERS=$BROKERS
BROKERS=127.0.0.1:1
pp broker-down --stdin "$W/lines" --no-topic -- -P
BROKERS=$REAL_BROKERS
[ "$(cat "$W/broker-down.kafkit.rc")" = 1 ] || fail "broker-down: exit code not 1"
for w in kcat kafkit; do
        grep '^% ERROR: Local: All broker connections are down' "$W/broker-down.$w.err" |
                sed 's/([^)]*)//' >"$W/broker-down.$w.msg"
done
cmp -s "$W/broker-down.kcat.msg" "$W/broker-down.kafkit.msg" && [ -s "$W/broker-down.kafkit.msg" ] ||
        fail "broker-down: kafkit's error differs: $(cat "$W/broker-down.kafkit.err")"
pp bad-header --no-topic -- -P -H '=x'
# A whole file past message.max.bytes: "Failed to produce message", exit 1.
pp file-too-large -- -P -p 0 "$W/big" "$W/f1"
grep -q '^% ERROR: Failed to produce message (1048576 bytes): Broker: Message size too large' \
        "$W/file-too-large.kafkit.err" || fail "file-too-large: $(cat "$W/file-too-large.kafkit.err")"

# ------------------------------------------------- messages on stderr
# -v -v: kcat's delivery notes, identical line for line (one partition).
pp verbose --stdin "$W/lines" -- -P -p 0 -v -v
cmp -s "$W/verbose.kcat.err" "$W/verbose.kafkit.err" || {
        diff "$W/verbose.kcat.err" "$W/verbose.kafkit.err" >&2
        fail "verbose: stderr differs"
}
pp quiet --stdin "$W/lines" -- -P -p 0 -q
[ ! -s "$W/quiet.kafkit.err" ] || fail "quiet: kafkit wrote to stderr: $(cat "$W/quiet.kafkit.err")"

# ------------------------------------------------------- transactions
# All records in one transaction, committed at the end of the input.
pp txn --stdin "$W/keys50" -- -P -K : -X transactional.id=kcat-produce-txn -v -v
for w in kcat kafkit; do
        grep -v '^% Message delivered\|^% Enable message' "$W/txn.$w.err" >"$W/txn.$w.notes"
done
cmp -s "$W/txn.kcat.notes" "$W/txn.kafkit.notes" || {
        diff "$W/txn.kcat.notes" "$W/txn.kafkit.notes" >&2
        fail "txn: transaction messages differ"
}
grep -q '^% Transaction successfully committed' "$W/txn.kafkit.err" || fail "txn: not committed"

echo "parity: $CASES cases identical to kcat" >&2

# ---------------------------------------------- documented deviations
# -T: kcat 1.7.1 echoes records without their delimiter; kafkit writes each
# sent record followed by the delimiter, as "acting like tee" promises.
parity_differs tee "-T writes the delimiter after each record" --stdin "$W/lines" -- \
        -b "$BROKERS" -t kc_tee -P -p 0 -T
printf 'one\ntwo\nthree with spaces\n\tfour\nlast-no-newline\n' >"$W/tee.expect"
cmp -s "$PARITY_DIR/tee.kafkit.out" "$W/tee.expect" || fail "tee: kafkit's -T output is wrong"
[ "$(parity_out tee kcat)" = "onetwothree with spaces	fourlast-no-newline" ] ||
        fail "tee: kcat's -T output changed: $(parity_out tee kcat)"
pp tee-count --stdin "$W/multi" -- -P -p 0 -D '::' -c 2 -q
printf 'a::b:c::' >"$W/tee-count.expect"
"$KAFKIT" -b "$BROKERS" -t kf_tee_count2 -P -p 0 -D '::' -c 2 -T <"$W/multi" >"$W/tee-count.out" ||
        fail "tee-count: kafkit failed"
cmp -s "$W/tee-count.out" "$W/tee-count.expect" || fail "tee-count: $(od -c "$W/tee-count.out")"

# -D '\x00': kcat 1.7.1 measures the delimiter with strlen() and refuses
# it as empty; kafkit splits on NUL bytes as "-D ... \xNN" promises.
parity_differs nul-delim "-D \\x00 splits on NUL bytes" --stdin "$W/nul-delimited" -- \
        -b "$BROKERS" -t kf_nul-delim -P -p 0 -D '\x00'
grep -q 'Message delimiter -D must not be empty' "$PARITY_DIR/nul-delim.kcat.err" ||
        fail "nul-delim: kcat's error changed: $(cat "$PARITY_DIR/nul-delim.kcat.err")"
[ "$(parity_rc nul-delim kafkit)" = 0 ] || fail "nul-delim: kafkit failed"
dump kf_nul-delim >"$W/nul-delim.topic"
printf '%s\n' '0 {"key":null,"payload":"r1"}' '0 {"key":null,"payload":"r2 with\nnewline"}' \
        '0 {"key":null,"payload":"r3"}' >"$W/nul-delim.expect"
cmp -s "$W/nul-delim.topic" "$W/nul-delim.expect" || fail "nul-delim: $(cat "$W/nul-delim.topic")"

# -p -1: kcat 1.7.1 keeps hashing keys (-1 is "unassigned"); kafkit uses the
# random partitioner its usage promises. 50 keys on 4 partitions: the
# placements differ (chance of a false alarm 4^-50), the records do not.
run kcat p-random "$W/keys50" -P -K : -p -1
run kafkit p-random "$W/keys50" -P -K : -p -1
dump kc_p-random >"$W/p-random.kcat.topic" &
dump kf_p-random >"$W/p-random.kafkit.topic"
wait $!
cmp -s "$W/p-random.kcat.topic" "$W/p-random.kafkit.topic" &&
        fail "p-random: -p -1 placed the records as kcat's hashing does"
for w in kcat kafkit; do
        cut -d' ' -f2- "$W/p-random.$w.topic" | LC_ALL=C sort >"$W/p-random.$w.bag"
done
cmp -s "$W/p-random.kcat.bag" "$W/p-random.kafkit.bag" || fail "p-random: records differ"
echo "deviation p-random: -p -1 uses the random partitioner" >&2

# ------------------------------------------------ signals, transactions
# SIGTERM while reading: kafkit stops at once. Without a transaction the
# records read so far are delivered and the exit code is 0; with one, the
# transaction is aborted and the exit code is 1. (The dev cluster does not
# hide aborted records from read_committed readers, so that they stay
# invisible cannot be checked here; kcat 1.7.1 keeps blocking in its read
# and never aborts, so there is nothing to compare with.)
sigterm_run() { # NAME ARGS...: feed 3 lines, wait for them to land, SIGTERM
        local name=$1 fifo=$W/$1.fifo pid i n
        shift
        mkfifo "$fifo"
        "$KAFKIT" -b "$BROKERS" -t "kf_$name" -P -p 0 "$@" <"$fifo" \
                >"$W/$name.out" 2>"$W/$name.err" &
        pid=$!
        exec 7>"$fifo"
        printf 'r1\nr2\nr3\n' >&7
        for i in $(seq 100); do
                n=$(dump "kf_$name" | wc -l)
                [ "$n" -ge 3 ] && break
                sleep 0.1
        done
        [ "$n" -ge 3 ] || fail "$name: the records did not arrive before SIGTERM"
        kill -TERM "$pid"
        wait "$pid"
        echo $? >"$W/$name.rc"
        exec 7>&-
}
sigterm_run sigterm
[ "$(cat "$W/sigterm.rc")" = 0 ] || fail "sigterm: exit $(cat "$W/sigterm.rc"): $(cat "$W/sigterm.err")"
sigterm_run sigterm-txn -X transactional.id=kcat-produce-abort
[ "$(cat "$W/sigterm-txn.rc")" = 1 ] || fail "sigterm-txn: exit $(cat "$W/sigterm-txn.rc")"
grep -q '^% Aborting transaction due to termination signal' "$W/sigterm-txn.err" ||
        fail "sigterm-txn: no abort message: $(cat "$W/sigterm-txn.err")"
grep -q 'Committing' "$W/sigterm-txn.err" && fail "sigterm-txn: committed after SIGTERM"

# ------------------------------------------------ Avro (kafkit extension)
S=$top_srcdir/schemas
cat >"$W/events.jsonl" <<'EOF'
{"user":"ada","action":"LOGIN","ts":1700000000000}
{"user":"bob","action":"PURCHASE","ts":1700000000001,"price":{"double":9.5}}
{"user":"eve","action":"NOPE","ts":1}
{"user":"cy","action":"SEARCH","ts":1700000000002,"query":{"string":"shoes"}}
EOF
"$KAFKIT" -b "$BROKERS" -t kf_avro -P -p 0 -s value=avro -r "$REGISTRY" \
        --value-schema "$S/user_event.avsc" <"$W/events.jsonl" >"$W/avro.out" 2>"$W/avro.err"
rc=$?
[ "$rc" = 1 ] || fail "avro: a bad line must give exit 1, got $rc: $(cat "$W/avro.err")"
grep -q '^% ERROR: stdin:3: .*\$\.action' "$W/avro.err" ||
        fail "avro: the bad line is not reported with its line and path: $(cat "$W/avro.err")"
"$KAFKIT" consume -b "$BROKERS" -r "$REGISTRY" -t kf_avro -e -q --value-format avro \
        >"$W/avro.back" 2>"$W/avro.back.err" || fail "avro: consume failed: $(cat "$W/avro.back.err")"
cat >"$W/avro.expect" <<'EOF'
{"user":"ada","action":"LOGIN","ts":1700000000000,"price":null,"query":null}
{"user":"bob","action":"PURCHASE","ts":1700000000001,"price":{"double":9.5},"query":null}
{"user":"cy","action":"SEARCH","ts":1700000000002,"price":null,"query":{"string":"shoes"}}
EOF
cmp -s "$W/avro.back" "$W/avro.expect" || {
        diff "$W/avro.expect" "$W/avro.back" >&2
        fail "avro: the records read back differ"
}
# key=avro with -K and --json-style plain
printf '{"user":"ada"}\t{"user":"ada","action":"LOGOUT","ts":5,"price":1.25}\n' >"$W/keyed.jsonl"
"$KAFKIT" -b "$BROKERS" -t kf_avro_key -P -p 0 -K '\t' -s key=avro -s value=avro -r "$REGISTRY" \
        --key-schema "$S/user_key.avsc" --value-schema "$S/user_event.avsc" --json-style plain \
        <"$W/keyed.jsonl" 2>"$W/avro-key.err" || fail "avro key: $(cat "$W/avro-key.err")"
"$KAFKIT" consume -b "$BROKERS" -r "$REGISTRY" -t kf_avro_key -e -q --key-format avro \
        --value-format avro --json-style plain -f '%k|%s\n' >"$W/avro-key.back" ||
        fail "avro key: consume failed"
[ "$(cat "$W/avro-key.back")" = '{"user":"ada"}|{"user":"ada","action":"LOGOUT","ts":5,"price":1.25,"query":null}' ] ||
        fail "avro key: read back $(cat "$W/avro-key.back")"

# ---------------------------------------------------------- --stats
seq 1 1000 | "$KAFKIT" -b "$BROKERS" -t kf_stats -P -p 0 --stats "$W/stats.jsonl" ||
        fail "stats: produce failed"
tail -n1 "$W/stats.jsonl" | grep -q '"records":1000,"bytes":2893,"errors":0,.*"what":"produced","final":true' ||
        fail "stats: $(cat "$W/stats.jsonl")"

echo "kcat_produce: $CASES parity cases + deviations, signals, Avro, stats in ${SECONDS}s" >&2
stop_dev
