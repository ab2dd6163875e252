# parity_lib.sh: run Debian's kcat and kafkit's kcat mode with the same
# arguments and input, and compare stdout bytes and exit codes.
# Source after lib.sh. Needs `kcat` on PATH (the test skips without it).
#
#   parity NAME [--stdin FILE] -- ARGS...
#       both must print the same stdout bytes and exit with the same code;
#       when kcat fails (non-zero exit), the first stderr line starting with
#       "% ERROR:" or "Error:" (kcat's fatal and usage errors) must also be
#       the same (parity_errcheck).
#   parity_differs NAME REASON [--stdin FILE] -- ARGS...
#       a documented deviation (README "kcat mode: deviations"): the outputs
#       must differ (so the test notices when they stop differing); REASON
#       is printed. Check kafkit's own output with the files it leaves:
#       $PARITY_DIR/NAME.kafkit.out/.err/.rc (and .kcat.* for kcat).
#   parity_errdiffers NAME REASON [--stdin FILE] -- ARGS...
#       stdout and exit code as parity, but the first error lines must
#       differ (a documented deviation in stderr only).
#   Every run has a 60 s timeout.

command -v kcat >/dev/null 2>&1 || skip "kcat is not installed (apt-get install kcat)"

PARITY_DIR="$TMPDIR/parity"
mkdir -p "$PARITY_DIR"
PARITY_CNT=0

_parity_run() { # WHO NAME STDIN ARGS...
        local who=$1 name=$2 in=$3 prog
        shift 3
        if [ "$who" = kcat ]; then prog=kcat; else prog=$KAFKIT; fi
        timeout -k 10 60 "$prog" "$@" <"$in" >"$PARITY_DIR/$name.$who.out" \
                2>"$PARITY_DIR/$name.$who.err"
        echo $? >"$PARITY_DIR/$name.$who.rc"
}

_parity_both() { # NAME ARGS... (with optional --stdin FILE --)
        local name=$1 in=/dev/null
        shift
        if [ "$1" = --stdin ]; then in=$2; shift 2; fi
        [ "$1" = -- ] && shift
        _parity_run kcat "$name" "$in" "$@"
        _parity_run kafkit "$name" "$in" "$@"
        PARITY_CNT=$((PARITY_CNT + 1))
}

_parity_show() { # NAME
        local d="$PARITY_DIR/$1" w
        for w in kcat kafkit; do
                echo "  $w: exit $(cat "$d.$w.rc"), stdout:" >&2
                head -c 600 "$d.$w.out" | od -c | head -12 | sed 's/^/    /' >&2
                echo "  $w stderr:" >&2
                head -5 "$d.$w.err" | sed 's/^/    /' >&2
        done
}

# The first fatal or usage error line of a stderr file: "% ERROR: ..." or
# "Error: ..." (kcat's usage errors), or nothing. librdkafka's timings and
# suppression counts ("after 1ms in state CONNECT", "3 identical error(s)")
# vary from run to run and are masked.
parity_errline() {
        grep -a -m1 -e '^% ERROR:' -e '^Error:' "$1" |
                sed -E -e 's/after [0-9]+ms/after Nms/g' \
                       -e 's/[0-9]+ identical error/N identical error/g'
}

# parity_errcheck NAME DIR: when kcat's run (DIR/NAME.kcat.rc) failed, its
# first error line must be kafkit's too.
parity_errcheck() {
        local d="$2/$1" kc kf
        [ "${PARITY_ERRCHECK:-1}" = 1 ] || return 0
        [ "$(cat "$d.kcat.rc")" != 0 ] || return 0
        kc=$(parity_errline "$d.kcat.err")
        kf=$(parity_errline "$d.kafkit.err")
        if [ "$kc" != "$kf" ]; then
                echo "  kcat error:   ${kc:-(none)}" >&2
                echo "  kafkit error: ${kf:-(none)}" >&2
                fail "parity $1: kafkit's error message differs from kcat's"
        fi
}

parity() {
        local name=$1 d
        _parity_both "$@"
        d="$PARITY_DIR/$name"
        if ! cmp -s "$d.kcat.out" "$d.kafkit.out" || ! cmp -s "$d.kcat.rc" "$d.kafkit.rc"; then
                _parity_show "$name"
                fail "parity $name: kafkit differs from kcat"
        fi
        parity_errcheck "$name" "$PARITY_DIR"
}

parity_differs() {
        local name=$1 reason=$2 d
        shift 2
        _parity_both "$name" "$@"
        d="$PARITY_DIR/$name"
        if cmp -s "$d.kcat.out" "$d.kafkit.out" && cmp -s "$d.kcat.rc" "$d.kafkit.rc"; then
                fail "parity $name: expected the documented difference ($reason), got identical output"
        fi
        echo "deviation $name: $reason" >&2
}

# parity_errdiffers NAME REASON [--stdin FILE] -- ARGS...: as parity, but
# the first error lines must differ (a documented difference in stderr only).
parity_errdiffers() {
        local name=$1 reason=$2 d
        shift 2
        _parity_both "$name" "$@"
        d="$PARITY_DIR/$name"
        if ! cmp -s "$d.kcat.out" "$d.kafkit.out" || ! cmp -s "$d.kcat.rc" "$d.kafkit.rc"; then
                _parity_show "$name"
                fail "parity $name: kafkit differs from kcat"
        fi
        [ "$(parity_errline "$d.kcat.err")" != "$(parity_errline "$d.kafkit.err")" ] ||
                fail "parity $name: expected the documented difference ($reason), got the same error"
        echo "deviation $name: $reason" >&2
}

# The files of a run: parity_out NAME kcat|kafkit
parity_out() { cat "$PARITY_DIR/$1.$2.out"; }
parity_rc() { cat "$PARITY_DIR/$1.$2.rc"; }
