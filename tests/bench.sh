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
done
"$KAFKIT" dev --listen none "${topics[@]}" --bootstrap-file "$tmp/bs" >/dev/null &
dev_pid=$!
for _ in $(seq 200); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
[ -s "$tmp/bs" ] || { echo "bench: kafkit dev did not start" >&2; exit 1; }
B=$(sed 's/^bootstrap.servers=//' "$tmp/bs")

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

kcat_p=(); kafkit_p=(); kcat_c=(); kafkit_c=()
for r in $(seq "$RUNS"); do
        kcat_p+=("$(elapsed kcat -P -q -K : -b "$B" -t "kcat-$r" <"$tmp/input")")
        kafkit_p+=("$(elapsed "$KAFKIT" produce -q -K : -b "$B" -t "kafkit-$r" <"$tmp/input")")
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
