# tests/lib.sh: helpers for kafkit's script tests, sourced by tests/*.sh
# (bash). `make check` exports KAFKIT (the kafkit program), top_srcdir and
# top_builddir; see AM_TESTS_ENVIRONMENT in Makefile.am.
#
# Sourcing this file gives a test:
#   $TMPDIR         a fresh directory of its own, removed at exit
#   fail MSG...     print "FAIL: MSG" on stderr and exit 1
#   skip MSG...     print "SKIP: MSG" and exit 77 (only when the test truly
#                   cannot run here)
#   start_dev [ARGS...]
#                   start `kafkit dev --listen none --registry 127.0.0.1:0
#                   --bootstrap-file ... ARGS` in the background and wait (up
#                   to 20 s) until it is ready; then $BROKERS is its broker
#                   list ("127.0.0.1:P,..."), $REGISTRY its Schema Registry
#                   URL ("http://127.0.0.1:P"; empty with --registry none)
#                   and $DEV_PID its pid. ARGS may override --listen and
#                   --registry.
#                   Its stdout and stderr go to $TMPDIR/dev.out, dev.err.
#   stop_dev        SIGTERM it, wait (up to 10 s) and fail unless it exits 0
# A running dev cluster is stopped at exit whatever happens.
#
# Example:
#   . "$top_srcdir/tests/lib.sh"
#   start_dev --brokers 3 --topic orders:6
#   kcat -b "$BROKERS" -L -t orders || fail "cannot list orders"
#   stop_dev

: "${KAFKIT:?KAFKIT must name the kafkit program (make check sets it)}"

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

skip() {
        echo "SKIP: $*" >&2
        exit 77
}

TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/kafkit-test.XXXXXX") ||
        fail "cannot create a temporary directory"
export TMPDIR

DEV_PID=
BROKERS=
REGISTRY=

_lib_cleanup() {
        if [ -n "$DEV_PID" ]; then
                kill -TERM "$DEV_PID" 2>/dev/null
                wait "$DEV_PID" 2>/dev/null
                DEV_PID=
        fi
        rm -rf "$TMPDIR"
}
trap _lib_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Prints the dev cluster's stderr (for failure messages).
_dev_err() {
        [ -s "$TMPDIR/dev.err" ] && sed 's/^/  dev: /' "$TMPDIR/dev.err" >&2
}

start_dev() {
        local bs="$TMPDIR/bs" i=0

        [ -z "$DEV_PID" ] || fail "start_dev: a dev cluster is already running"
        rm -f "$bs"
        "$KAFKIT" dev --listen none --registry 127.0.0.1:0 --bootstrap-file "$bs" "$@" \
                >"$TMPDIR/dev.out" 2>"$TMPDIR/dev.err" &
        DEV_PID=$!
        while [ ! -s "$bs" ]; do
                if ! kill -0 "$DEV_PID" 2>/dev/null; then
                        wait "$DEV_PID"
                        local rc=$?
                        DEV_PID=
                        _dev_err
                        fail "kafkit dev $* exited with status $rc before it was ready"
                fi
                i=$((i + 1))
                [ "$i" -le 200 ] || fail "kafkit dev $* not ready after 20 s"
                sleep 0.1
        done
        BROKERS=$(sed -n 's/^bootstrap\.servers=//p' "$bs")
        [ -n "$BROKERS" ] || fail "no bootstrap.servers line in $bs: $(cat "$bs")"
        REGISTRY=$(sed -n 's/^schema\.registry\.url=//p' "$bs")
        export BROKERS REGISTRY DEV_PID
}

stop_dev() {
        local i=0 rc

        [ -n "$DEV_PID" ] || fail "stop_dev: no dev cluster running"
        kill -TERM "$DEV_PID" 2>/dev/null
        while kill -0 "$DEV_PID" 2>/dev/null; do
                i=$((i + 1))
                if [ "$i" -gt 100 ]; then
                        kill -KILL "$DEV_PID" 2>/dev/null
                        DEV_PID=
                        fail "kafkit dev did not stop within 10 s of SIGTERM"
                fi
                sleep 0.1
        done
        wait "$DEV_PID"
        rc=$?
        DEV_PID=
        BROKERS=
        REGISTRY=
        if [ "$rc" -ne 0 ]; then
                _dev_err
                fail "kafkit dev exited with status $rc after SIGTERM"
        fi
}
