#!/bin/bash
# kcat_consume.sh: kcat mode -C and -G give Debian kcat 1.7.1's stdout
# bytes and exit codes: every -f token and escape, -J (escaping, headers,
# null keys and values), -K/-D/-Z/-O, the -o forms (beginning, end, N, -N,
# stored with a group, e@), -c, -e, kcat's pack-format deserializers
# (-s: each type, '$', short input, -E), consumer groups over two topics
# with commits and resume, and the errors (format errors, a topic or
# partition that does not exist, a cluster that is down). Documented
# deviations run with parity_differs and kafkit's own output is checked.
# -s avro (Debian's kcat has no Avro) is checked against exact JSON.
#
# Fixture records are written with kcat itself. Multi-partition runs use
# -p, or compare sorted output where kcat's own order between partitions
# is not fixed (say so: "sorted").
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity_lib.sh"

start_dev --topic one:1 --topic full:1
B=$BROKERS
# fetch.wait.max.ms: both return at the end of a partition sooner
C="-b $B -X fetch.wait.max.ms=10"

# ------------------------------------------------------------------ fixtures
# fx/0: keys, an empty value, an empty key, JSON-hostile bytes; a null value
printf 'k1:v1\nk2:\n:v3\nk4:v"4\\\t/\001\037\177\303\251\n' |
        kcat -P -b "$B" -t fx -p 0 -K : || fail "kcat -P fx/0"
printf 'k5:\n:\n' | kcat -P -b "$B" -t fx -p 0 -K : -Z || fail "kcat -P fx/0 -Z"
# fx/1: no keys, delimiters inside values
printf 'a\nb|c,d:e=f%%s\n' | kcat -P -b "$B" -t fx -p 1 || fail "kcat -P fx/1"
# fx/2: headers (an empty value, a null value)
printf 'x\ny\n' | kcat -P -b "$B" -t fx -p 2 -H h1=v1 -H h2= -H h3 -H 'h"4=a,b' ||
        fail "kcat -P fx/2"
# fx/3: binary values and a 1 MB one (kcat sends each file as one record)
printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020hello' >"$TMPDIR/bin1"
printf '\377\376\375\374\200\000\000\001' >"$TMPDIR/bin2"
printf '\001\002\003' >"$TMPDIR/bin3"
head -c 1048576 /dev/urandom >"$TMPDIR/big"
kcat -P -b "$B" -t fx -p 3 -k kk -X message.max.bytes=2000000 \
        "$TMPDIR/bin1" "$TMPDIR/bin2" "$TMPDIR/bin3" "$TMPDIR/big" || fail "kcat -P fx/3"
# bin/0: the pack-format input
kcat -P -b "$B" -t bin -p 0 -k kk "$TMPDIR/bin1" "$TMPDIR/bin2" "$TMPDIR/bin3" ||
        fail "kcat -P bin"
# ts/0, ts/1: two batches with distinct timestamps, for -o e@
printf 'a1\na2\n' | kcat -P -b "$B" -t ts -p 0 || fail "kcat -P ts"
sleep 0.05
printf 'b1\nb2\n' | kcat -P -b "$B" -t ts -p 0 || fail "kcat -P ts"
printf 'c1\n' | kcat -P -b "$B" -t ts -p 1 || fail "kcat -P ts"
seq 1 5 | kcat -P -b "$B" -t one || fail "kcat -P one"

expect_out() { # NAME TEXT: kafkit's whole stdout, NUL bytes written as @
        [ "$(tr '\000' @ <"$PARITY_DIR/$1.kafkit.out")" = "$2" ] ||
                fail "$1: kafkit printed '$(head -c 600 "$PARITY_DIR/$1.kafkit.out")', expected '$2'"
}
expect_err() { # NAME WHO TEXT: a line of stderr
        grep -qF -- "$3" "$PARITY_DIR/$1.$2.err" ||
                fail "$1: no '$3' in $2's stderr: $(head -c 600 "$PARITY_DIR/$1.$2.err")"
}

# ------------------------------------------------------------- -f and -J
ALL='%t|%p|%o|%k|%K|%s|%S|%R|%T|%h|%%\n'
for p in 0 1 2 3; do
        parity "fmt-p$p" -- -C $C -t fx -p $p -e -f "$ALL"
        parity "json-p$p" -- -C $C -t fx -p $p -e -J
done
expect_out fmt-p2 "$(printf 'fx|2|0||-1|x|1|@@@\001|%s|h1=v1,h2=,h3=NULL,h"4=a,b|%%\nfx|2|1||-1|y|1|@@@\001|%s|h1=v1,h2=,h3=NULL,h"4=a,b|%%' \
        "$(kcat -C -b "$B" -t fx -p 2 -c 1 -q -f %T)" "$(kcat -C -b "$B" -t fx -p 2 -o 1 -c 1 -q -f %T)")"
grep -q '"headers":\["h1","v1","h2","","h3",null,"h\\"4","a,b"\],"key":null,"payload":"x"' \
        "$PARITY_DIR/json-p2.kafkit.out" || fail "json-p2: headers: $(head -1 "$PARITY_DIR/json-p2.kafkit.out")"
grep -qF '"key":"k4","payload":"v\"4\\\t/\u0001\u001F' "$PARITY_DIR/json-p0.kafkit.out" ||
        fail "json-p0: escaping: $(sed -n 4p "$PARITY_DIR/json-p0.kafkit.out")"
grep -qF '"key":"k5","payload":null}' "$PARITY_DIR/json-p0.kafkit.out" || fail "json-p0: null value"
parity json-null -- -C $C -t fx -p 0 -e -J -Z
parity json-D -- -C $C -t fx -p 0 -e -J -D '||'
parity json-f-trailer -- -C $C -t fx -p 0 -e -J -f 'X%s\n'
parity json-f-notrailer -- -C $C -t fx -p 0 -e -J -f '%sX\n'
parity null-Z -- -C $C -t fx -p 1 -e -Z -K :
parity delims -- -C $C -t fx -p 0 -e -K '|' -D '##'
parity escapes1 -- -C $C -t fx -p 0 -e -f '\x41\x4a\xff\101\0101\q\\\x%%\n'
parity escapes2 -- -C $C -t fx -p 0 -e -u -f '\x4142|\x0a|\9|\12x|\r\t\\n|\xg|\x%%\x|\'
expect_out escapes1 "$(printf 'AJffeAq\\%%\nAJffeAq\\%%\nAJffeAq\\%%\nAJffeAq\\%%\nAJffeAq\\%%\nAJffeAq\\%%')"
parity fmt-bad-token -- -C $C -t fx -p 0 -e -f '%Q'
expect_err fmt-bad-token kafkit "% ERROR: Unsupported formatter: %Q"
parity fmt-empty-token -- -C $C -t fx -p 0 -e -f 'ab%'
expect_err fmt-empty-token kafkit "% ERROR: Empty formatter"
parity big -- -C $C -t fx -p 3 -o 3 -e -f '%s'
cmp -s "$PARITY_DIR/big.kafkit.out" "$TMPDIR/big" || fail "big: the 1 MB value differs"

# Deviations (README "kcat mode: deviations from kcat 1.7.1").
parity_differs null-empty "-Z: empty keys/values print empty, only null ones NULL" \
        -- -C $C -t fx -p 0 -e -Z -K :
expect_out null-empty "$(printf 'k1:v1\nk2:\n:v3\nk4:v"4\\\t/\001\037\177\303\251\nk5:NULL\nNULL:NULL')"
parity_differs offset-O "-O prints offsets with the -K delimiter (kcat ignores -O)" \
        -- -C $C -t fx -p 1 -e -O
expect_out offset-O "$(printf '0\ta\n1\tb|c,d:e=f%%s')"
parity_differs nul-delim "-D '\\x00' is a NUL byte (kcat drops it)" -- -C $C -t fx -p 1 -e -D '\x00'
expect_out nul-delim 'a@b|c,d:e=f%s@'
parity_differs nul-fmt "-f '\\x00' is a NUL byte (kcat fails with a write error)" \
        -- -C $C -t fx -p 1 -e -f '%s\x00'
expect_out nul-fmt 'a@b|c,d:e=f%s@'

# ------------------------------------------------------------- offsets, -c
for o in beginning end 2 -2 100; do
        parity "offset$o" -- -C $C -t fx -p 0 -e -o "$o" -f '%o %k\n'
done
expect_out offset-2 "$(printf '4 k5\n5 ')"
parity_sorted() { # NAME ARGS...: the lines of both, sorted (kcat's order between partitions varies)
        local name=$1
        shift
        _parity_both "$name" "$@"
        sort "$PARITY_DIR/$name.kcat.out" >"$PARITY_DIR/$name.kcat.sorted"
        sort "$PARITY_DIR/$name.kafkit.out" >"$PARITY_DIR/$name.kafkit.sorted"
        cmp -s "$PARITY_DIR/$name.kcat.sorted" "$PARITY_DIR/$name.kafkit.sorted" &&
                cmp -s "$PARITY_DIR/$name.kcat.rc" "$PARITY_DIR/$name.kafkit.rc" ||
                { _parity_show "$name"; fail "parity $name (sorted): kafkit differs from kcat"; }
}
parity_sorted all-tail -- -C $C -t fx -e -o -1 -f '%p %o %K\n'
[ "$(wc -l <"$PARITY_DIR/all-tail.kafkit.out")" = 4 ] || fail "all-tail: expected 4 lines"
expect_err all-tail kafkit "% Reached end of topic fx [1] at offset 2"
expect_err all-tail kafkit ": exiting"
parity count -- -C $C -t fx -p 0 -c 2
parity count-json -- -C $C -t fx -p 0 -e -c 3 -J
TS=$(kcat -C -b "$B" -t ts -p 0 -o 2 -c 1 -q -f '%T')
parity stop-ts -- -C $C -t ts -e -o "e@$TS" -f '%p %o %s\n'
expect_out stop-ts "$(printf '0 0 a1\n0 1 a2')"
expect_err stop-ts kafkit "% Reached stop timestamp for topic ts [0] at offset 2"
parity stop-ts-p -- -C $C -t ts -p 0 -o "e@$TS" -f '%s\n'
expect_err stop-ts-p kafkit "% Reached stop timestamp for topic ts [0] at offset 2: exiting"

# -C commits nothing, as kcat: -o stored after a -C run with a group
# still starts at the end (no offset committed). The -G runs below commit
# offsets that -C -o stored then starts from.
$KAFKIT -C $C -t fx -p 1 -X group.id=nocommit -e -q >/dev/null || fail "-C with a group"
printf 'n1\n' | kcat -P -b "$B" -t fx -p 1 || fail "kcat -P fx/1"
parity stored-nocommit -- -C $C -t fx -p 1 -X group.id=nocommit -o stored -e -f '%o %s\n'
expect_out stored-nocommit ''
parity stored-nogroup -- -C $C -t fx -o stored -e
expect_err stored-nogroup kafkit "% ERROR: Failed to start consuming topic fx [0]: Local: Invalid argument or configuration"

# ----------------------------------------------------------- pack-formats
for s in 'b B h H' 'i I' q '>Q' 'c c s' 'i i' 'bbb$' 'i$' qqq 's$'; do
        parity "pack-$s" -- -C $C -t bin -p 0 -e -s "value=$s" -f '[%s]\n'
done
expect_out 'pack-i i' "$(printf '[16909060 84281096]\n[-66052 -2147483647]\n[')"
expect_err 'pack-i i' kafkit "% ERROR: Failed to format message in bin [0] at offset 2: value truncated, expected 4 bytes to unpack i but only 3 bytes remaining: terminating"
expect_err 'pack-i$' kafkit "expected value end-of-input, but 17 bytes remaining: terminating"
# 'c' past the end is an error (kcat reads past the data: not compared)
$KAFKIT -C $C -t bin -p 0 -o 2 -c 1 -q -s 'value=bbbc' -f '[%s]' >"$TMPDIR/pc" 2>"$TMPDIR/pc.err" &&
        fail "pack c past the end: exit 0"
[ "$(cat "$TMPDIR/pc")" = "[123" ] && grep -qF 'value truncated, expected 1 bytes to unpack c but only 0 bytes remaining: terminating' \
        "$TMPDIR/pc.err" || fail "pack c past the end: $(cat "$TMPDIR/pc" "$TMPDIR/pc.err")"
parity pack-E -- -C $C -t bin -p 0 -e -E -s value=i -f '[%s]\n'
parity pack-key -- -C $C -t bin -p 0 -e -s key=bB -f '[%k]\n'
parity pack-both -- -C $C -t bin -p 0 -e -E -s 's$' -f '[%k|%s]\n'
parity pack-bad -- -C $C -t bin -p 0 -e -s value=x
expect_err pack-bad kafkit "% ERROR: Invalid token 'x' in value pack-format, see -s usage."
parity_differs pack-little "'<' reads little-endian (kcat 1.7.1 ignores it)" \
        -- -C $C -t bin -p 0 -c 2 -s 'value=<i H' -f '[%s]\n'
expect_out pack-little "$(printf '[67305985 1541]\n[-50462977 128]')"
parity_differs pack-json "-s applies with -J (kcat ignores -s there)" \
        -- -C $C -t bin -p 0 -c 2 -s 'value=bB' -J
grep -qF '"key":"kk","payload":"12"}' "$PARITY_DIR/pack-json.kafkit.out" &&
        grep -qF '"key":"kk","payload":"-1254"}' "$PARITY_DIR/pack-json.kafkit.out" ||
        fail "pack-json: $(head -1 "$PARITY_DIR/pack-json.kafkit.out")"
$KAFKIT -C $C -t bin -p 0 -e -E -q -s 'value=i$' -J >"$TMPDIR/pj" 2>"$TMPDIR/pj.err" ||
        fail "pack -J -E: exit $?"
grep -qF '"payload":null,"payload_error":"expected value end-of-input, but 17 bytes remaining"}' \
        "$TMPDIR/pj" || fail "pack -J -E: $(head -1 "$TMPDIR/pj")"

# --------------------------------------------------------------- -s avro
# Debian's kcat has no Avro: kafkit's output against the expected JSON.
KID=$($KAFKIT schema register -r "$REGISTRY" -s av-key "$top_srcdir/schemas/user_key.avsc") ||
        fail "register key schema"
VID=$($KAFKIT schema register -r "$REGISTRY" -s av-value "$top_srcdir/schemas/user_event.avsc") ||
        fail "register value schema"
printf '{"user":"ada"}|{"user":"ada","action":"LOGIN","ts":1700000000000,"price":{"double":1.5},"query":null}\n' |
        $KAFKIT produce -b "$B" -r "$REGISTRY" -t av -p 0 -K '|' --key-format avro \
                --key-schema-id "$KID" --value-format avro --value-schema-id "$VID" ||
        fail "produce Avro"
printf 'plain\n' | kcat -P -b "$B" -t av -p 0 || fail "kcat -P av"
AVTS=$(kcat -C -b "$B" -t av -p 0 -c 1 -q -f %T)
$KAFKIT -C $C -t av -p 0 -c 1 -s avro -r "$REGISTRY" -J >"$TMPDIR/av.json" || fail "-s avro -J"
[ "$(cat "$TMPDIR/av.json")" = "{\"topic\":\"av\",\"partition\":0,\"offset\":0,\"tstype\":\"create\",\"ts\":$AVTS,\"broker\":1,\"key\":{\"user\":\"ada\"},\"key_schema_id\":$KID,\"payload\":{\"user\":\"ada\",\"action\":\"LOGIN\",\"ts\":1700000000000,\"price\":{\"double\":1.5},\"query\":null},\"value_schema_id\":$VID}" ] ||
        fail "-s avro -J: $(cat "$TMPDIR/av.json")"
[ "$($KAFKIT -C $C -t av -p 0 -c 1 -q -s value=avro -r "$REGISTRY" --json-style plain -f '%s')" = \
  '{"user":"ada","action":"LOGIN","ts":1700000000000,"price":1.5,"query":null}' ] ||
        fail "-s value=avro --json-style plain"
# an undecodable value: kcat's rules, exit 1 (nothing of it printed), -E: payload_error
$KAFKIT -C $C -t av -p 0 -e -s value=avro -r "$REGISTRY" -J >"$TMPDIR/av2" 2>"$TMPDIR/av2.err" &&
        fail "-s avro: an undecodable value must end the run with exit 1"
[ "$(wc -l <"$TMPDIR/av2")" = 1 ] || fail "-s avro: printed $(cat "$TMPDIR/av2")"
grep -qF "% ERROR: Failed to deserialize value in message in av [0] at offset 1: payload does not start with Confluent's magic byte" \
        "$TMPDIR/av2.err" || fail "-s avro: $(cat "$TMPDIR/av2.err")"
$KAFKIT -C $C -t av -p 0 -e -E -q -s value=avro -r "$REGISTRY" -J >"$TMPDIR/av3" || fail "-s avro -E"
grep -qF ',"key":null,"payload":null,"payload_error":"payload does not start' "$TMPDIR/av3" ||
        fail "-s avro -E: $(tail -1 "$TMPDIR/av3")"

# --------------------------------------------------------------- -G
# Groups take seconds to form on the dev cluster: the runs of both
# programs go in parallel, each with its own groups.
G="-X session.timeout.ms=6000 -X fetch.wait.max.ms=10 -b $B"
group_two() { # WHO PROG: two topics from the beginning
        timeout -k 10 60 $2 -G two-$1 $G -o beginning -e -f '%t %p %o %S\n' fx one \
                >"$TMPDIR/g2.$1" 2>"$TMPDIR/g2.$1.err"
        echo $? >"$TMPDIR/g2.$1.rc"
}
group_resume() { # WHO PROG: -c 2 commits two records, the next run resumes
        timeout -k 10 60 $2 -G res-$1 $G -o beginning -c 2 -q -f '%o %s\n' one \
                >"$TMPDIR/gr.$1" 2>"$TMPDIR/gr.$1.err"
        timeout -k 10 60 $2 -G res-$1 $G -e -q -f '%o %s\n' one >>"$TMPDIR/gr.$1" \
                2>>"$TMPDIR/gr.$1.err"
        echo $? >"$TMPDIR/gr.$1.rc"
}
JOBS=""
group_two kcat kcat & JOBS="$JOBS $!"
group_two kafkit "$KAFKIT" & JOBS="$JOBS $!"
group_resume kcat kcat & JOBS="$JOBS $!"
group_resume kafkit "$KAFKIT" & JOBS="$JOBS $!"
wait $JOBS
TOTAL=$(( $(kcat -C -b "$B" -t fx -e -q -f 'x\n' | wc -l) + 5 ))
[ "$(cat "$TMPDIR/g2.kafkit.rc")" = 0 ] || fail "-G two topics: exit $(cat "$TMPDIR/g2.kafkit.rc")"
[ "$(sort "$TMPDIR/g2.kcat")" = "$(sort "$TMPDIR/g2.kafkit")" ] || # sorted
        fail "-G two topics: kcat $(sort "$TMPDIR/g2.kcat" | head -c 300), kafkit $(sort "$TMPDIR/g2.kafkit" | head -c 300)"
[ "$(wc -l <"$TMPDIR/g2.kafkit")" = "$TOTAL" ] || fail "-G two topics: $(wc -l <"$TMPDIR/g2.kafkit") records"
grep -q '^% Group two-kafkit rebalanced (memberid .*): assigned: ' "$TMPDIR/g2.kafkit.err" ||
        fail "-G: no assignment message: $(cat "$TMPDIR/g2.kafkit.err")"
grep -q '^% Group two-kafkit rebalanced (memberid .*): revoked: ' "$TMPDIR/g2.kafkit.err" ||
        fail "-G: no revoke message: $(cat "$TMPDIR/g2.kafkit.err")"
grep -q ': exiting$' "$TMPDIR/g2.kafkit.err" || fail "-G -e: no exiting message"
grep -qxF '% Waiting for group rebalance' "$TMPDIR/g2.kafkit.err" || fail "-G: no waiting message"
cmp -s "$TMPDIR/gr.kcat" "$TMPDIR/gr.kafkit" ||
        fail "-G resume: kcat '$(cat "$TMPDIR/gr.kcat")', kafkit '$(cat "$TMPDIR/gr.kafkit")'"
[ "$(cat "$TMPDIR/gr.kafkit")" = "$(printf '0 1\n1 2\n2 3\n3 4\n4 5')" ] ||
        fail "-G resume: kafkit printed '$(cat "$TMPDIR/gr.kafkit")'"
# -C -o stored starts where kcat's and kafkit's -G committed. (kcat 1.7.1
# itself aborts here, in a librdkafka assertion, so it is not compared.)
seq 6 7 | kcat -P -b "$B" -t one || fail "kcat -P one"
for g in res-kcat res-kafkit; do
        out=$($KAFKIT -C $C -t one -X group.id=$g -o stored -e -q -f '%o %s\n') ||
                fail "-C -o stored, group $g: exit $?"
        [ "$out" = "$(printf '5 6\n6 7')" ] || fail "-C -o stored, group $g: '$out'"
done
# -G commits only records whose output was written: with stdout on
# /dev/full (buffered, and -u) nothing is, so nothing may be committed and
# a rerun reads all 100 records.
seq 1 100 | kcat -P -b "$B" -t full || fail "kcat -P full"
for u in "" -u; do
        g=full$u
        timeout -k 10 60 $KAFKIT -G $g $G -o beginning -e $u full >/dev/full \
                2>"$TMPDIR/full.err"
        rc=$?
        [ $rc = 1 ] || fail "-G $u >/dev/full: exit $rc: $(cat "$TMPDIR/full.err")"
        grep -qF 'No space left on device' "$TMPDIR/full.err" ||
                fail "-G $u >/dev/full: no write error: $(cat "$TMPDIR/full.err")"
        timeout -k 10 30 $KAFKIT lag -b "$B" -G $g -t full -J >"$TMPDIR/full.lag" 2>/dev/null
        grep -qF '"partition":0,"committed":null,' "$TMPDIR/full.lag" ||
                fail "-G $u >/dev/full committed unwritten records: $(cat "$TMPDIR/full.lag")"
        n=$(timeout -k 10 60 $KAFKIT -G $g $G -X auto.offset.reset=earliest -e -q full | wc -l)
        [ "$n" = 100 ] || fail "-G $u after >/dev/full: rerun read $n records, not 100"
done
parity group-notopics -- -G g0 $C -e
expect_err group-notopics kafkit "% ERROR: Failed to subscribe to 0 topics: Local: Invalid argument or configuration"

# --------------------------------------------------------------- errors
parity no-partition -- -C $C -t fx -p 9 -e
expect_err no-partition kafkit "% ERROR: Topic fx (with partitions 0..3): partition 9 does not exist"
# The dev cluster creates a topic kcat asks for; kafkit never creates a
# topic by reading it and fails as kcat does on a broker that does not.
$KAFKIT -C $C -t nosuch -e 2>"$TMPDIR/nosuch.err" && fail "nonexistent topic: exit 0"
grep -qxF '% ERROR: Topic nosuch error: Broker: Unknown topic or partition' "$TMPDIR/nosuch.err" ||
        fail "nonexistent topic: $(cat "$TMPDIR/nosuch.err")"
parity down-C -- -C -b 127.0.0.1:1 -t fx -e -m 1
expect_err down-C kcat "% ERROR: Failed to query metadata for topic fx: Local: Broker transport failure"
expect_err down-C kafkit "% ERROR: Failed to query metadata for topic fx: Local: Broker transport failure"
# Which error kcat -G prints first is a race between its error callbacks
# ("Local: Broker transport failure" or "All broker connections are
# down"); kafkit leaves the retried connection failure to librdkafka's log
# line, so only stdout and the exit code are compared, and kafkit's final
# error checked (README: deviations).
PARITY_ERRCHECK=0 parity down-G -- -G gd -b 127.0.0.1:1 -e fx
expect_err down-G kafkit "% ERROR: Local: All broker connections are down"
expect_err down-G kcat "% ERROR: Local: All broker connections are down"

# --------------------------------------------------- statistics (--stats)
$KAFKIT -C $C -t fx -p 1 -e -q --stats "$TMPDIR/stats" >/dev/null || fail "kcat mode --stats"
grep -q '"final":true' "$TMPDIR/stats" && grep -q '"records":3,' "$TMPDIR/stats" &&
        grep -q '"what":"consumed"' "$TMPDIR/stats" || fail "kcat mode --stats: $(cat "$TMPDIR/stats")"
$KAFKIT consume -b "$B" -t fx -p 1 -e -q --stats "$TMPDIR/stats2" >/dev/null || fail "consume --stats"
grep -q '"records":3,' "$TMPDIR/stats2" || fail "consume --stats: $(cat "$TMPDIR/stats2")"

echo "kcat_consume: $PARITY_CNT parity runs"
stop_dev
