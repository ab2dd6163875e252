#!/bin/bash
# docs.sh: the man page and the bash completion keep up with the program.
#
# Every subcommand `kafkit --help` lists, every schema command, and every
# option printed by `kafkit CMD --help`, `kafkit schema CMD --help` and the
# kcat-mode usage (`kafkit -C -h`) must be documented in doc/kafkit.1 (in
# that command's section) and offered by completion/kafkit.bash (when
# completing "-" after that command). So adding an option without
# documenting it fails here. Also: the man page renders without groff
# warnings and has its sections; the completion completes subcommands,
# options and option values; `make install` puts the man page, the
# completion and the kafkit-kcat link in place (DESTDIR-aware) and
# `make uninstall` removes them; a kafkit-kcat link starts kcat mode.
. "$top_srcdir/tests/lib.sh"

MAN=$top_srcdir/doc/kafkit.1
COMPLETION=$top_srcdir/completion/kafkit.bash
[ -f "$MAN" ] || fail "$MAN missing"
[ -f "$COMPLETION" ] || fail "$COMPLETION missing"

errors=0
problem() {
        echo "FAIL: $*" >&2
        errors=$((errors + 1))
}

# ------------------------------------------------------------- man page
if command -v groff >/dev/null 2>&1; then
        warnings=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
        [ -z "$warnings" ] || problem "groff warns about $MAN:
$warnings"
else
        echo "note: groff not found, rendering not checked"
fi

# The man source as plain words: \- is -, font escapes and \% dropped.
plain=$TMPDIR/man.txt
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' -e 's/\\&//g' "$MAN" >"$plain"

for sec in NAME SYNOPSIS DESCRIPTION COMMANDS "KCAT MODE" "FORMAT TOKENS" "JSON ENVELOPE" \
           CONFIGURATION ENVIRONMENT "EXIT STATUS" EXAMPLES FILES "SEE ALSO"; do
        grep -qx "\.SH \"\{0,1\}$sec\"\{0,1\}" "$plain" || problem "man page has no section $sec"
done

# Text of the man page from the line matching regex $1 to the next .SH
# (or, with $2 = SS, to the next .SS or .SH).
man_section() {
        awk -v start="$1" -v stop="${2:-SH}" '
                found && ($0 ~ "^\\.SH " || (stop == "SS" && $0 ~ "^\\.SS ")) { exit }
                found { print }
                $0 ~ start { found = 1 }' "$plain"
}

# The options of a help text: lines indented by two spaces that start with
# "-", up to the first double space; every -X / --long word in that part.
help_opts() {
        awk '/^  -/ { sub(/^  /, ""); sub(/  .*/, ""); print }' |
                grep -oE -- '(^|[ ,|/[])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[ ,|/[]//' | sort -u
}

# The commands a help text lists under "Commands:".
help_commands() {
        awk '/^Commands:/ { f = 1; next } f && /^$/ { f = 0 } f { print $1 }'
}

# 0 if option $1 appears as a word in file/stdin text $2.
has_word() {
        grep -qE -e "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" <<<"$2"
}

# COMPREPLY for the words given ("" for the word being completed).
complete_words() {
        bash -c '
                source "$0" || exit 1
                COMP_WORDS=("$@")
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                _kafkit
                printf "%s\n" "${COMPREPLY[@]}"' "$COMPLETION" "$@"
}

# Checks the options of help text $1 (named $2) against man text $3 and
# the completion of words $4...
check_opts() {
        local help=$1 what=$2 man=$3 opts compl opt n=0
        shift 3
        opts=$(help_opts <<<"$help")
        [ -n "$opts" ] || { problem "$what: no options found in its help"; return; }
        compl=$(complete_words "$@" -)
        for opt in $opts; do
                n=$((n + 1))
                has_word "$opt" "$man" || problem "$what: option $opt is not in $MAN"
                grep -qxF -e "$opt" <<<"$compl" ||
                        problem "$what: option $opt is not completed by $COMPLETION ($* -<TAB>)"
        done
        checked=$((checked + n))
}

top_help=$("$KAFKIT" --help) || fail "kafkit --help failed"
commands=$(help_commands <<<"$top_help")
[ -n "$commands" ] && grep -qx produce <<<"$commands" ||
        fail "no commands found in kafkit --help:
$top_help"
compl=$(complete_words kafkit "")
checked=0
for cmd in $commands; do
        grep -qx "\.SS kafkit $cmd" "$plain" || problem "no '.SS kafkit $cmd' section in $MAN"
        grep -qxF "$cmd" <<<"$compl" || problem "command $cmd is not completed (kafkit <TAB>)"
        case $cmd in help | schema) continue ;; esac     # schema: below
        help=$("$KAFKIT" "$cmd" --help) || problem "kafkit $cmd --help failed"
        check_opts "$help" "kafkit $cmd" "$(man_section "^\\.SS kafkit $cmd\$" SS)" kafkit "$cmd"
done
for opt in --help --version; do
        has_word "$opt" "$(man_section '^\.SH SYNOPSIS')" || problem "kafkit $opt not in SYNOPSIS"
        grep -qxF -e "$opt" <<<"$(complete_words kafkit -)" || problem "kafkit $opt not completed"
done

schema_help=$("$KAFKIT" schema --help) || problem "kafkit schema --help failed"
schema_cmds=$(help_commands <<<"$schema_help")
[ -n "$schema_cmds" ] || problem "no commands found in kafkit schema --help"
compl=$(complete_words kafkit schema "")
schema_man=$(man_section '^\.SS kafkit schema$' SS)
for sub in $schema_cmds; do
        grep -qx "\.SS kafkit schema $sub" "$plain" ||
                problem "no '.SS kafkit schema $sub' section in $MAN"
        grep -qxF "$sub" <<<"$compl" || problem "schema $sub is not completed (kafkit schema <TAB>)"
        help=$("$KAFKIT" schema "$sub" --help) || problem "kafkit schema $sub --help failed"
        check_opts "$help" "kafkit schema $sub" \
                "$schema_man
$(man_section "^\\.SS kafkit schema $sub\$" SS)" kafkit schema "$sub"
done

kcat_help=$("$KAFKIT" -C -h 2>&1) || problem "kafkit -C -h failed"
kcat_man=$(man_section '^\.SH "?KCAT MODE"?$')
check_opts "$kcat_help" "kcat mode" "$kcat_man" kafkit -C
check_opts "$kcat_help" "kafkit-kcat" "$kcat_man" kafkit-kcat

# Format tokens of kcat mode's usage and of kafkit consume's help.
tokens_man=$(man_section '^\.SH "?FORMAT TOKENS"?$')
for tok in $(grep -E '^  %[A-Za-z%] ' <<<"$kcat_help" | awk '{ print $1 }') \
           $("$KAFKIT" consume --help | grep -oE '%[A-Za-z%]' | sort -u); do
        grep -qE -e "^\.B $tok\$" <<<"$tokens_man" || problem "format token $tok not in FORMAT TOKENS"
done
# The -J envelope's fields.
env_man=$(man_section '^\.SH "?JSON ENVELOPE"?$')
for field in $(sed -n '/^JSON message envelope/,/^ }/p' <<<"$kcat_help" |
               grep -oE '"[a-z_]+":' | tr -d '":' | sort -u); do
        grep -q -e "\"$field\"" -e "^\.B $field\$" <<<"$env_man" ||
                problem "-J field $field not in JSON ENVELOPE"
done

# ------------------------------------------ completion: a few answers
expect() {
        local want=$1 got
        shift
        got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
        [ "$got" = "$want" ] || problem "completing '$*': expected '$want', got '$got'"
}
expect "consume" kafkit con
expect "schema" kafkit sch
expect "--value-format" kafkit produce --value-f
expect "avro json string" kafkit produce --value-format ""
expect "avro json string" kafkit consume --key-format ""
expect "avro plain" kafkit consume --json-style ""
expect "text bytes" kafkit produce --decimal ""
expect "beginning end stored" kafkit consume -o ""
expect "register get list check delete config" kafkit schema ""
expect "FULL FULL_TRANSITIVE" kafkit schema config --set FU
expect "list lag" kafkit help l
expect "snappy gzip lz4 zstd" kafkit -P -z ""
expect "beginning" kafkit -C -b x -o beg
expect "--json-style" kafkit -C --json-s
expect "dump" kafkit-kcat -X du
expect "-J" kafkit -L -J
mkdir -p "$TMPDIR/c/sub" && : >"$TMPDIR/c/a.avsc" && : >"$TMPDIR/c/b.txt"
expect "$TMPDIR/c/a.avsc" kafkit produce --value-schema "$TMPDIR/c/a"
expect "$TMPDIR/c/b.txt" kafkit produce -F "$TMPDIR/c/b"
expect "$TMPDIR/c/sub" kafkit dev --registry-data "$TMPDIR/c/s"

# --------------------------------------- install: man, completion, link
inst=$TMPDIR/inst
if make -s -C "$top_builddir" DESTDIR="$inst" install-exec-hook install-data-local \
        install-man >"$TMPDIR/install.log" 2>&1; then
        link=$(find "$inst" -name kafkit-kcat -path '*/bin/*')
        [ -n "$link" ] && [ -L "$link" ] && [ "$(readlink "$link")" = kafkit ] ||
                problem "make install made no bin/kafkit-kcat -> kafkit link: $(find "$inst")"
        comp=$(find "$inst" -path '*/bash-completion/completions/kafkit')
        [ -n "$comp" ] && cmp -s "$comp" "$COMPLETION" ||
                problem "completion not installed as .../bash-completion/completions/kafkit"
        [ -n "$comp" ] && [ -L "$comp-kcat" ] || problem "no completions/kafkit-kcat link"
        [ -n "$(find "$inst" -path '*/man1/kafkit.1')" ] || problem "man page not installed"
        make -s -C "$top_builddir" DESTDIR="$inst" uninstall-hook uninstall-local \
                uninstall-man >>"$TMPDIR/install.log" 2>&1 || problem "make uninstall failed"
        left=$(find "$inst" ! -type d)
        [ -z "$left" ] || problem "make uninstall left: $left"
else
        problem "make install (hooks) failed: $(cat "$TMPDIR/install.log")"
fi

# A kafkit-kcat link starts kcat mode: the real program, not libtool's
# wrapper (which would hide the name it was called by).
bin=
for cand in "$top_builddir/.libs/kafkit" "$KAFKIT"; do
        if [ -f "$cand" ] && [ "$(head -c 4 "$cand" | tr -d '\177')" = ELF ]; then
                bin=$cand
                break
        fi
done
if [ -n "$bin" ]; then
        ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$TMPDIR/kafkit-kcat"
        out=$(LD_LIBRARY_PATH="$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
              "$TMPDIR/kafkit-kcat" -h 2>&1)
        grep -q "kcat mode" <<<"$out" || problem "kafkit-kcat -h is not kcat mode's usage: $out"
fi

[ "$errors" -eq 0 ] || fail "$errors problem(s)"
echo "PASS: $checked documented options checked against $MAN and $COMPLETION"
