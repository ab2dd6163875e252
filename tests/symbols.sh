#!/bin/bash
# symbols.sh: checks libkafkit's exported symbols and the kafkit tool's
# linkage.
#
# The library's only face is include/kafkit/: libkafkit.so must export
# kafkit_* symbols and nothing else (Makefile.am's -export-symbols-regex),
# and every function the public headers declare must be among them. The
# kafkit program stands on that API alone: it must not call librdkafka,
# avro or libcurl itself, so none of their symbols may be undefined in the
# real binary (libtool keeps it in .libs/ when linking shared).
#
# Environment (set by `make check`): KAFKIT (the built kafkit, maybe a
# libtool wrapper script), KAFKIT_LIB (src/.libs/libkafkit.so), top_srcdir,
# top_builddir. Exit status: 0 pass, 1 fail, 77 skip (automake's code).
set -u

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
KAFKIT=${KAFKIT:-$top_builddir/kafkit}
KAFKIT_LIB=${KAFKIT_LIB:-$top_builddir/src/.libs/libkafkit.so}

status=0

fail() {
        echo "FAIL: $*" >&2
        status=1
}

skip() {
        echo "SKIP: $*"
        exit 77
}

is_elf() {
        [ -f "$1" ] && [ "$(head -c 4 "$1" | tr -d '\177')" = "ELF" ]
}

command -v nm >/dev/null 2>&1 || skip "nm not found"

if [ ! -e "$KAFKIT_LIB" ]; then
        if [ -e "$top_builddir/src/.libs/libkafkit.a" ]; then
                skip "libkafkit built static only (no $KAFKIT_LIB)"
        fi
        echo "FAIL: $KAFKIT_LIB not found (build the library first)" >&2
        exit 1
fi

# ------------------------------------------------- the library's exports
# Names only: "ADDR T name" -> "name", without any @VERSION tag.
exports=$(nm -D --defined-only "$KAFKIT_LIB" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' |
          sort -u) || { echo "FAIL: nm -D $KAFKIT_LIB failed" >&2; exit 1; }

# The linker may define these in any shared object.
linker_syms='^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_)$'
foreign=$(printf '%s\n' "$exports" | grep -Ev '^kafkit_' | grep -Ev "$linker_syms" | grep -v '^$')
if [ -n "$foreign" ]; then
        fail "$KAFKIT_LIB exports symbols outside kafkit_*:"
        printf '%s\n' "$foreign" | sed 's/^/  /' >&2
fi

# Every function declared at the start of a line in the public headers.
declared=$(grep -hE '^[a-z][^(;]*\bkafkit_[a-z0-9_]+\(' "$top_srcdir"/include/kafkit/*.h |
           sed -E 's/^[^(]*\b(kafkit_[a-z0-9_]+)\(.*/\1/' | sort -u)
[ -n "$declared" ] || fail "no function declarations found in $top_srcdir/include/kafkit/*.h"
missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exports"))
if [ -n "$missing" ]; then
        fail "declared in include/kafkit/ but not exported by $KAFKIT_LIB:"
        printf '%s\n' "$missing" | sed 's/^/  /' >&2
fi
# Internal kafkit_* helpers are hidden (visibility pragma in src/internal.h):
# anything exported but undocumented would be accidental ABI.
extra=$(comm -13 <(printf '%s\n' "$declared") <(printf '%s\n' "$exports" | grep '^kafkit_'))
if [ -n "$extra" ]; then
        fail "exported by $KAFKIT_LIB but not declared in include/kafkit/:"
        printf '%s\n' "$extra" | sed 's/^/  /' >&2
fi

# ---------------------------------------------- the tool's own linkage
bin=
for cand in "$top_builddir/.libs/kafkit" "$top_builddir/.libs/lt-kafkit" "$KAFKIT"; do
        if is_elf "$cand"; then
                bin=$cand
                break
        fi
done
if [ -z "$bin" ]; then
        echo "FAIL: no kafkit binary (looked in $top_builddir/.libs and $KAFKIT)" >&2
        exit 1
fi

undefined=$(nm -D --undefined-only "$bin" | awk '{ sub(/@.*/, "", $NF); print $NF }' | sort -u) ||
        { echo "FAIL: nm -D $bin failed" >&2; exit 1; }
direct=$(printf '%s\n' "$undefined" | grep -E '^(rd_kafka_|avro_|curl_)')
if [ -n "$direct" ]; then
        fail "$bin uses librdkafka/avro/curl directly, not through libkafkit:"
        printf '%s\n' "$direct" | sed 's/^/  /' >&2
fi
# The check above means something only if the tool does use libkafkit.
if ! printf '%s\n' "$undefined" | grep -q '^kafkit_'; then
        fail "$bin takes no kafkit_* symbol from a shared libkafkit (linked statically?)"
fi

if [ "$status" -eq 0 ]; then
        echo "PASS: $(printf '%s\n' "$exports" | grep -c '^kafkit_') kafkit_* exports," \
             "$(printf '%s\n' "$declared" | wc -l) declared; $bin uses no" \
             "rd_kafka_/avro_/curl_ symbol"
fi
exit "$status"
