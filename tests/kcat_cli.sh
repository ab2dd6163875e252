#!/bin/bash
# tests/kcat_cli.sh: kcat mode's command line as a whole, against Debian's
# kcat 1.7.1: how kafkit enters kcat mode (a kcat flag first, `kafkit kcat`,
# a program named kafkit-kcat), -X list/dump, usage errors and their exit
# codes, and the parsing deviations README.md lists ("kcat mode: deviations
# from kcat 1.7.1"): -X over configuration files, \r in -D, numbers that do
# not parse.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/parity_lib.sh"

T=$TMPDIR
export HOME=$T/home   # no ~/.config/kcat.conf of the user
mkdir -p "$HOME/.config"
unset KCAT_CONFIG KAFKACAT_CONFIG

# ------------------------------------------------ no cluster needed
parity X_list -- -X list
[ "$(wc -l <"$PARITY_DIR/X_list.kafkit.out")" -gt 100 ] || fail "-X list: too short"
parity no_brokers -- -C -t x
parity no_topic -- -C -b 127.0.0.1:1
parity P_no_topic -- -P -b 127.0.0.1:1
parity Q_no_t -- -Q -b 127.0.0.1:1
parity X_no_eq -- -b 127.0.0.1:1 -X foo -L
parity X_unknown -- -b 127.0.0.1:1 -X no.such.property=1 -L
parity X_bad_value -- -b 127.0.0.1:1 -X acks=maybe -L
parity unknown_opt -- -b 127.0.0.1:1 -L -Y
parity missing_arg -- -b 127.0.0.1:1 -L -t
parity L_operand -- -b 127.0.0.1:1 -L extra
parity l_two_files -- -P -b 127.0.0.1:1 -t x -l a b
parity F_missing -- -b 127.0.0.1:1 -F "$T/no-such.conf" -L
parity s_producer -- -P -b 127.0.0.1:1 -t x -s i
parity G_ts -- -b 127.0.0.1:1 -G g -o s@1 x
grep -q "ERROR" "$PARITY_DIR/X_unknown.kafkit.err" ||
        fail "-X no.such.property: no error message: $(cat "$PARITY_DIR/X_unknown.kafkit.err")"

# -h / -V: exit 0 and every kcat option documented
for a in -h -V; do
        "$KAFKIT" -b x $a >"$T/out" 2>&1 || fail "kafkit -b x $a: exit $?"
done
"$KAFKIT" -C -h >"$T/help" || fail "kafkit -C -h failed"
kcat -h >"$T/kcat-help"
for opt in $(grep -o '^  -[A-Za-z]' "$T/kcat-help" | sort -u); do
        grep -q -- "^  $opt" "$T/help" || fail "kcat option $opt missing from kafkit -C -h"
done

# -X dump: the effective configuration, with -X winning over a file
printf 'client.id=from-file\n# comment\n\nsocket.timeout.ms=1234\n' >"$T/kcat.conf"
KCAT_CONFIG=$T/kcat.conf "$KAFKIT" -b b1 -X client.id=from-cli -X dump >"$T/dump" ||
        fail "-X dump failed"
grep -qx 'client.id = from-cli' "$T/dump" || fail "-X dump: -X did not win: $(grep client.id "$T/dump")"
grep -qx 'socket.timeout.ms = 1234' "$T/dump" || fail "-X dump: KCAT_CONFIG not read"
grep -qx 'metadata.broker.list = b1' "$T/dump" || fail "-X dump: -b missing"
KCAT_CONFIG=$T/kcat.conf kcat -b b1 -X client.id=from-cli -X dump >"$T/kdump"
grep -qx 'client.id = from-file' "$T/kdump" ||
        fail "kcat now lets -X win over KCAT_CONFIG: drop the README deviation"
cp "$T/kcat.conf" "$HOME/.config/kcat.conf"
"$KAFKIT" -b b1 -X dump | grep -qx 'socket.timeout.ms = 1234' ||
        fail "~/.config/kcat.conf not read"
"$KAFKIT" -b b1 -F none -X dump | grep -qx 'socket.timeout.ms = 1234' &&
        fail "-F none still read ~/.config/kcat.conf"
printf 'bogus line\n' >"$T/bad.conf"
"$KAFKIT" -b b1 -F "$T/bad.conf" -X dump >/dev/null 2>"$T/err" && fail "a bad -F file was accepted"
grep -q "bad.conf:1: expected property=value" "$T/err" || fail "bad -F file: $(cat "$T/err")"
rm -f "$HOME/.config/kcat.conf"

# numbers that do not parse are errors naming the option (kcat: strtol)
for args in "-C -t x -p x" "-C -t x -c 1x" "-C -t x -o 12x" "-L -m x"; do
        # shellcheck disable=SC2086
        "$KAFKIT" -b 127.0.0.1:1 $args >/dev/null 2>"$T/err" && fail "kafkit $args: accepted"
        grep -q "ERROR" "$T/err" || fail "kafkit $args: $(cat "$T/err")"
done

# ------------------------------------------------ on a dev cluster
start_dev --topic t1:1 --topic t2:1 --topic t3:1

# three ways into kcat mode give kcat's -L bytes (one broker: which one
# answers decides the header line)
parity L_flag -- -L -b "$BROKERS"
"$KAFKIT" kcat -L -b "$BROKERS" >"$T/sub" || fail "kafkit kcat -L failed"
cmp -s "$T/sub" "$PARITY_DIR/L_flag.kcat.out" || fail "kafkit kcat -L differs from kcat -L"
real=$KAFKIT
if [ -x "$(dirname "$KAFKIT")/.libs/kafkit" ] && [ -d "${top_builddir:-.}/src/.libs" ]; then
        real=$(dirname "$KAFKIT")/.libs/kafkit
        export LD_LIBRARY_PATH="$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
ln -s "$real" "$T/kafkit-kcat"
"$T/kafkit-kcat" -L -b "$BROKERS" >"$T/link" || fail "kafkit-kcat -L failed"
cmp -s "$T/link" "$PARITY_DIR/L_flag.kcat.out" || fail "kafkit-kcat -L differs from kcat -L"
# a default mode: with stdin not a terminal, -P (kcat's rule)
printf 'a\nb\n' >"$T/in"
"$KAFKIT" -b "$BROKERS" -t t1 <"$T/in" 2>"$T/err" || fail "auto -P failed: $(cat "$T/err")"
grep -q "Auto-selecting Producer mode" "$T/err" || fail "no auto-select note: $(cat "$T/err")"

# \r in -D: consuming, both write a CR (kcat runs -D through its -f
# parser); producing, kafkit splits at CR as the usage says, while kcat
# looks for the two characters backslash, r
parity D_cr -- -C -b "$BROKERS" -t t1 -e -q -D '\r'
[ "$(parity_out D_cr kafkit | od -An -c | tr -d ' \n')" = 'a\rb\r' ] ||
        fail "-D '\\r': $(parity_out D_cr kafkit | od -c)"
printf 'x\ry\r' >"$T/cr"
"$KAFKIT" -P -b "$BROKERS" -t t2 -D '\r' <"$T/cr" || fail "kafkit -P -D '\\r' failed"
kcat -P -b "$BROKERS" -t t3 -D '\r' <"$T/cr" || fail "kcat -P -D '\\r' failed"
[ "$("$KAFKIT" -C -b "$BROKERS" -t t2 -e -q -f '[%s]')" = '[x][y]' ] ||
        fail "kafkit -P -D '\\r' did not split at CR"
[ "$(kcat -C -b "$BROKERS" -t t3 -e -q -f '[%s]' | od -An -c | tr -d ' \n')" = '[x\ry\r]' ] ||
        fail "kcat -P now splits at CR: drop the README deviation"
parity D_tab -- -C -b "$BROKERS" -t t1 -e -q -D '\t'
parity D_hex -- -C -b "$BROKERS" -t t1 -e -q -D '\x2c'
echo "kcat_cli: $PARITY_CNT parity runs"
