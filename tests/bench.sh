#!/usr/bin/env bash
# make bench: kafkit produce/consume throughput against kcat on one dev
# cluster in one run. Prints records/s and the kafkit/kcat ratio for each
# and writes them to the results file. Not part of `make check`.
#
#   tests/bench.sh KAFKIT_BINARY RESULTS_FILE
# Environment: BENCH_RECORDS (1000000), BENCH_SIZE (100-byte values, 10-byte keys),
#              BENCH_RUNS (3; the best run of each counts), BENCH_PARTITIONS (64).
set -euo pipefail

KAFKIT=${1:-./kafkit}
RESULTS=${2:-bench-results.txt}
RECORDS=${BENCH_RECORDS:-1000000}
SIZE=${BENCH_SIZE:-100}
RUNS=${BENCH_RUNS:-3}
PARTITIONS=${BENCH_PARTITIONS:-64}

# In a build tree with shared libraries ./kafkit is libtool's wrapper
# script, which costs ~150 ms a start: time the real binary instead.
kdir=$(cd "$(dirname "$KAFKIT")" && pwd)
if [ -x "$kdir/.libs/kafkit" ] && [ -d "$kdir/src/.libs" ]; then
        KAFKIT=$kdir/.libs/kafkit
        export LD_LIBRARY_PATH="$kdir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

command -v kcat >/dev/null || { echo "bench: kcat is not installed (apt-get install kcat)" >&2; exit 1; }

tmp=$(mktemp -d)
dev_pid=
cleanup() {
        if [ -n "$dev_pid" ] && kill -0 "$dev_pid" 2>/dev/null; then
                kill -TERM "$dev_pid"; wait "$dev_pid" || true
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT

topics=()
for r in $(seq "$RUNS"); do
        topics+=(--topic "kcat-$r:$PARTITIONS" --topic "kafkit-$r:$PARTITIONS")
        topics+=(--topic "json-kcat-$r:$PARTITIONS" --topic "avro-kafkit-$r:$PARTITIONS")
        topics+=(--topic "kcatmode-$r:$PARTITIONS" --topic "kcatmode-kcat-$r:$PARTITIONS")
done
"$KAFKIT" dev --listen none --registry 127.0.0.1:0 "${topics[@]}" --bootstrap-file "$tmp/bs" >/dev/null &
dev_pid=$!
for _ in $(seq 200); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
[ -s "$tmp/bs" ] || { echo "bench: kafkit dev did not start" >&2; exit 1; }
for _ in $(seq 50); do grep -q '^schema.registry.url=' "$tmp/bs" && break; sleep 0.1; done
B=$(sed -n 's/^bootstrap\.servers=//p' "$tmp/bs")
R=$(sed -n 's/^schema\.registry\.url=//p' "$tmp/bs")

# RECORDS keyed lines: a 10-digit key, ':', then SIZE printable bytes of
# value. Keys spread the records evenly over the partitions (murmur2), which
# keeps every partition far below the dev cluster's 5 MB cap; unkeyed
# records would follow the sticky partitioner and could overflow one.
python3 - "$RECORDS" "$SIZE" >"$tmp/input" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
pad = "abcdefghijklmnopqrstuvwxyz0123456789" * (size // 36 + 2)
w = sys.stdout.write
for i in range(n):
    w("%010d:%s\n" % (i, pad[i % 36: i % 36 + size]))
PY

now_ns() { date +%s%N; }

# run_timed NAME EXPECTED_LINES CMD...: runs CMD, prints elapsed seconds.
# For consumers, stdout is counted and must equal EXPECTED_LINES.
elapsed() {
        local t0 t1
        t0=$(now_ns)
        "$@"
        t1=$(now_ns)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

count_check() { # expected file
        local got
        got=$(cat "$2")
        [ "$got" -eq "$1" ] || { echo "bench: expected $1 records, read $got" >&2; exit 1; }
}

best() { printf '%s\n' "$@" | sort -g | head -n1; }

# Producers take turns going first: the dev cluster holds every record
# produced so far, and a fixed order would favour whichever always runs
# on the emptier cluster. Each producer writes a topic of its own.
# take_turns R KCAT_TIMES KCAT_FN KAFKIT_TIMES KAFKIT_FN: runs both timed
# commands (functions of the run number) for run R in turn order and
# appends their times to the two arrays.
take_turns() {
        local -n kt=$2 ft=$4
        if [ $(($1 % 2)) = 1 ]; then
                kt+=("$("$3" "$1")"); ft+=("$("$5" "$1")")
        else
                ft+=("$("$5" "$1")"); kt+=("$("$3" "$1")")
        fi
}
p_kcat() { elapsed kcat -P -q -K : -b "$B" -t "kcat-$1" <"$tmp/input"; }
p_kafkit() { elapsed "$KAFKIT" produce -q -K : -b "$B" -t "kafkit-$1" <"$tmp/input"; }

kcat_p=(); kafkit_p=(); kcat_c=(); kafkit_c=()
for r in $(seq "$RUNS"); do
        take_turns "$r" kcat_p p_kcat kafkit_p p_kafkit
        # Both consumers read the same topic (written by kafkit) to a pipe.
        kcat_c+=("$(elapsed sh -c "kcat -C -q -e -o beginning -b '$B' -t kafkit-$r | wc -l >'$tmp/n'")")
        count_check "$RECORDS" "$tmp/n"
        kafkit_c+=("$(elapsed sh -c "'$KAFKIT' consume -q -e -o beginning -b '$B' -t kafkit-$r | wc -l >'$tmp/n'")")
        count_check "$RECORDS" "$tmp/n"
done

rate() { awk -v n="$RECORDS" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

kp=$(best "${kcat_p[@]}"); fp=$(best "${kafkit_p[@]}")
kc=$(best "${kcat_c[@]}"); fc=$(best "${kafkit_c[@]}")
{
        echo "# kafkit bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $RECORDS records of $SIZE bytes," \
                "topic of $PARTITIONS partitions, best of $RUNS runs, $(nproc) cores"
        echo "# kafkit $("$KAFKIT" --version | head -n1 | tr -d '\n'); $(kcat -V 2>&1 | head -n1)"
        printf '%-10s %12s %12s %8s %s\n' op kcat_rec_s kafkit_rec_s ratio target
        printf '%-10s %12s %12s %8s %s\n' produce "$(rate "$kp")" "$(rate "$fp")" "$(ratio "$fp" "$kp")" '>=1.0'
        printf '%-10s %12s %12s %8s %s\n' consume "$(rate "$kc")" "$(rate "$fc")" "$(ratio "$fc" "$kc")" '>=1.5'
        echo "# all runs (s): kcat produce ${kcat_p[*]}; kafkit produce ${kafkit_p[*]};" \
                "kcat consume ${kcat_c[*]}; kafkit consume ${kafkit_c[*]}"
} | tee "$RESULTS"

# ---- kcat mode -----------------------------------------------------------------
# The same command lines for kcat and `kafkit` in kcat mode: produce, plain
# consume, and consume with formatting: -J (JSON envelope) and -f with every
# common token. Consumers read kafkit-$r (written above). Target >= 1.0 each.
FMT='Topic %t [%p] at offset %o (%T): key %k (%K bytes): %s (%S bytes) headers %h\n'
km_p_kcat() { elapsed kcat -P -q -K : -b "$B" -t "kcatmode-kcat-$1" <"$tmp/input"; }
km_p_kafkit() { elapsed "$KAFKIT" -P -q -K : -b "$B" -t "kcatmode-$1" <"$tmp/input"; }
km_kp=(); km_fp=(); km_kc=(); km_fc=(); km_kj=(); km_fj=(); km_kf=(); km_ff=()
for r in $(seq "$RUNS"); do
        take_turns "$r" km_kp km_p_kcat km_fp km_p_kafkit
        for who in kcat kafkit; do
                prog=kcat; [ "$who" = kafkit ] && prog=$KAFKIT
                t=$(elapsed sh -c "'$prog' -C -q -e -o beginning -b '$B' -t kafkit-$r | wc -l >'$tmp/n'")
                count_check "$RECORDS" "$tmp/n"
                tj=$(elapsed sh -c "'$prog' -C -q -e -J -o beginning -b '$B' -t kafkit-$r | wc -l >'$tmp/n'")
                count_check "$RECORDS" "$tmp/n"
                tf=$(elapsed sh -c "'$prog' -C -q -e -f '$FMT' -o beginning -b '$B' -t kafkit-$r | wc -l >'$tmp/n'")
                count_check "$RECORDS" "$tmp/n"
                if [ "$who" = kcat ]; then km_kc+=("$t"); km_kj+=("$tj"); km_kf+=("$tf")
                else km_fc+=("$t"); km_fj+=("$tj"); km_ff+=("$tf"); fi
        done
done
{
        echo "# kcat mode: identical command lines; kcat vs kafkit -P/-C"
        printf '%-10s %12s %12s %8s %s\n' op kcat_rec_s kafkit_rec_s ratio target
        for row in "kc-produce km_kp km_fp" "kc-consume km_kc km_fc" "kc-json km_kj km_fj" "kc-format km_kf km_ff"; do
                set -- $row
                eval "a=\$(best \"\${$2[@]}\"); b=\$(best \"\${$3[@]}\")"
                printf '%-10s %12s %12s %8s %s\n' "$1" "$(rate "$a")" "$(rate "$b")" "$(ratio "$b" "$a")" '>=1.0'
        done
        echo "# all runs (s): kcat -P ${km_kp[*]}; kafkit -P ${km_fp[*]}; kcat -C ${km_kc[*]};" \
                "kafkit -C ${km_fc[*]}; kcat -J ${km_kj[*]}; kafkit -J ${km_fj[*]};" \
                "kcat -f ${km_kf[*]}; kafkit -f ${km_ff[*]}"
} | tee -a "$RESULTS"

# ---- Avro end to end ---------------------------------------------------------
# RECORDS keyed JSON records of 10 fields (~150 bytes of JSON): kafkit encodes
# them to Avro (Confluent framing, schema registered with the dev registry)
# and produces them, then consumes and prints them as JSON; kcat produces and
# consumes the same JSON lines as plain strings. Target: ratio >= 0.7 each way.
cat >"$tmp/order.avsc" <<'AVSC'
{"type": "record", "name": "Order", "namespace": "bench",
 "fields": [
  {"name": "id", "type": "long"},
  {"name": "customer", "type": "string"},
  {"name": "sku", "type": "string"},
  {"name": "quantity", "type": "int"},
  {"name": "price", "type": "double"},
  {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "GBP"]}},
  {"name": "paid", "type": "boolean"},
  {"name": "created", "type": "long"},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "region", "type": "string"}
 ]}
AVSC
python3 - "$RECORDS" >"$tmp/orders" <<'PY'
import sys
n = int(sys.argv[1])
cur = ("EUR", "USD", "GBP")
w = sys.stdout.write
for i in range(n):
    note = 'null' if i % 3 else '{"string":"gift"}'
    w('%010d:{"id":%d,"customer":"c-%06d","sku":"SKU-%05d","quantity":%d,'
      '"price":%d.%02d,"currency":"%s","paid":%s,"created":%d,"note":%s,"region":"eu"}\n'
      % (i, i, i % 1000000, i % 50000, i % 9 + 1, i % 500, i % 100, cur[i % 3],
         "true" if i % 2 else "false", 1700000000000 + i, note))
PY
avro_json_bytes=$(awk -F: '{ n += length($0) - 11 } END { printf "%.0f", n / NR }' "$tmp/orders")
a_p_kcat() { elapsed kcat -P -q -K : -b "$B" -t "json-kcat-$1" <"$tmp/orders"; }
a_p_kafkit() {
        elapsed "$KAFKIT" produce -q -K : -b "$B" -t "avro-kafkit-$1" -r "$R" \
                --value-format avro --value-schema "$tmp/order.avsc" <"$tmp/orders"
}
jk_p=(); ak_p=(); jk_c=(); ak_c=()
for r in $(seq "$RUNS"); do
        take_turns "$r" jk_p a_p_kcat ak_p a_p_kafkit
        jk_c+=("$(elapsed sh -c "kcat -C -q -e -o beginning -b '$B' -t json-kcat-$r | wc -l >'$tmp/n'")")
        count_check "$RECORDS" "$tmp/n"
        ak_c+=("$(elapsed sh -c "'$KAFKIT' consume -q -e -o beginning -b '$B' -t avro-kafkit-$r -r '$R' --value-format avro | wc -l >'$tmp/n'")")
        count_check "$RECORDS" "$tmp/n"
done
kp=$(best "${jk_p[@]}"); fp=$(best "${ak_p[@]}")
kc=$(best "${jk_c[@]}"); fc=$(best "${ak_c[@]}")
{
        echo "# Avro end to end: $RECORDS records of 10 fields, ~$avro_json_bytes bytes of JSON each;" \
                "kcat moves the JSON as strings, kafkit encodes/decodes Avro via the registry"
        printf '%-10s %12s %12s %8s %s\n' op kcat_rec_s kafkit_rec_s ratio target
        printf '%-10s %12s %12s %8s %s\n' avro-prod "$(rate "$kp")" "$(rate "$fp")" "$(ratio "$fp" "$kp")" '>=0.7'
        printf '%-10s %12s %12s %8s %s\n' avro-cons "$(rate "$kc")" "$(rate "$fc")" "$(ratio "$fc" "$kc")" '>=0.7'
        echo "# all runs (s): kcat json produce ${jk_p[*]}; kafkit avro produce ${ak_p[*]};" \
                "kcat json consume ${jk_c[*]}; kafkit avro consume ${ak_c[*]}"
} | tee -a "$RESULTS"

# ---- Avro codec figures (tests/bench_avro.c) --------------------------------
# Single-threaded decode (kafkit vs avro-c) and encode rates, appended to the
# results file as "name value unit" lines. `make bench` builds the program;
# BENCH_AVRO_RECORDS and BENCH_AVRO_RUNS size it (see tests/bench_avro.c).
bench_avro=${BENCH_AVRO:-$kdir/tests/bench_avro}
if [ -x "$bench_avro" ]; then
        "$bench_avro" | tee -a "$RESULTS"
else
        echo "bench: $bench_avro not built (make bench builds it); Avro figures skipped" >&2
fi
# ---- end of Avro codec figures ----------------------------------------------
