# bash completion for kafkit(1) and kafkit-kcat.
#
# Installed as $(datadir)/bash-completion/completions/kafkit (and a
# kafkit-kcat link beside it, for bash-completion's on-demand loading);
# or source it from ~/.bashrc. Completes the subcommands, each one's
# options and the values of options where there is a fixed set (formats,
# offsets, levels) or a file to name; in kcat mode (`kafkit -C ...`,
# `kafkit-kcat ...`) kcat's options.
#
# The option lists are kept here by hand, from each `kafkit CMD --help`
# and `kafkit -C -h`; tests/docs.sh fails when an option is missing.
# Needs nothing from the bash-completion package.

_kafkit_commands="produce consume list lag dev registry schema help"
_kafkit_schema_commands="register get list check delete config"

_kafkit_common_opts="-b -X -F -q -v -h --help"
_kafkit_registry_opts="-r --value-format --key-format --value-schema --value-schema-id
        --value-subject --key-schema --key-schema-id --key-subject --json-style --decimal"
_kafkit_schema_common_opts="-r -X -F -v -h --help"

_kafkit_opts_produce="-t -p -D -K -k -H -c -m --progress --stats --stats-interval
        $_kafkit_registry_opts $_kafkit_common_opts"
_kafkit_opts_consume="-t -G -p -o -c -e -E -f -D -K --progress --stats --stats-interval
        $_kafkit_registry_opts $_kafkit_common_opts"
_kafkit_opts_list="-t -J -m $_kafkit_common_opts"
_kafkit_opts_lag="-G -t -J -m $_kafkit_common_opts"
_kafkit_opts_dev="--brokers --topic --listen --registry --registry-data --bootstrap-file
        -X -q --quiet -h --help"
_kafkit_opts_registry="--listen --data -X -q --quiet -h --help"
_kafkit_opts_schema="-h --help"
_kafkit_opts_schema_register="-s --normalize --reference $_kafkit_schema_common_opts"
_kafkit_opts_schema_get="--id -s --version --raw $_kafkit_schema_common_opts"
_kafkit_opts_schema_list="-s $_kafkit_schema_common_opts"
_kafkit_opts_schema_check="-s --version --reference --offline --level
        $_kafkit_schema_common_opts"
_kafkit_opts_schema_delete="-s --version --permanent $_kafkit_schema_common_opts"
_kafkit_opts_schema_config="-s --set $_kafkit_schema_common_opts"

# Options of the kafkit subcommands that take an argument.
_kafkit_arg_opts="-t -p -D -K -k -H -c -m -G -o -f -b -X -F -r -s
        --key-format --value-format --value-schema --value-schema-id --value-subject
        --key-schema --key-schema-id --key-subject --json-style --decimal --stats
        --stats-interval --brokers --topic --listen --registry --registry-data --bootstrap-file --data
        --reference --id --version --level --set"

# kcat mode: kcat 1.7.1's options, then kafkit's long options.
_kafkit_kcat_opts="-C -P -L -Q -G -t -p -b -D -K -c -m -F -X -d -q -v -E -V -h
        -z -k -H -l -T -Z -o -e -f -J -s -r -O -u
        --value-schema --key-schema --json-style --progress --stats --stats-interval --help"
_kafkit_kcat_arg_opts="-G -t -p -b -z -o -D -K -k -H -d -F -X -c -f -s -r -m
        --value-schema --key-schema --json-style --stats --stats-interval"

_kafkit_levels="BACKWARD BACKWARD_TRANSITIVE FORWARD FORWARD_TRANSITIVE FULL
        FULL_TRANSITIVE NONE"

# 0 if word $1 is in the list $2.
_kafkit_in()
{
        local w
        for w in $2; do
                [[ $w == "$1" ]] && return 0
        done
        return 1
}

_kafkit_words()
{
        COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_kafkit_files()
{
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$1"))
}

_kafkit_dirs()
{
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$1"))
}

# Avro schema files (and directories, to walk into).
_kafkit_avsc()
{
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$1") $(compgen -f -X '!*.avsc' -- "$1"))
}

# Completes the value of option $1 (word $2 so far) in context $3
# (a subcommand, "schema", or "kcat"). Returns 1 for an option without a
# known set of values (nothing is offered).
_kafkit_value()
{
        local opt=$1 cur=$2 ctx=$3

        case $opt in
        --value-format | --key-format) _kafkit_words "avro json string" "$cur" ;;
        --json-style) _kafkit_words "avro plain" "$cur" ;;
        --decimal) _kafkit_words "text bytes" "$cur" ;;
        --level | --set) _kafkit_words "$_kafkit_levels" "$cur" ;;
        --version) _kafkit_words "latest" "$cur" ;;
        --value-schema | --key-schema) _kafkit_avsc "$cur" ;;
        -F | --stats | --bootstrap-file) _kafkit_files "$cur" ;;
        --registry-data | --data) _kafkit_dirs "$cur" ;;
        --listen | --registry)
                [[ $ctx == dev ]] && _kafkit_words "none" "$cur" ;;
        -o) _kafkit_words "beginning end stored" "$cur" ;;
        -z) [[ $ctx == kcat ]] && _kafkit_words "snappy gzip lz4 zstd" "$cur" ;;
        -s) [[ $ctx == kcat ]] && _kafkit_words "avro key=avro value=avro" "$cur" ;;
        -X) [[ $ctx == kcat ]] && _kafkit_words "list dump" "$cur" ;;
        *) return 1 ;;
        esac
        return 0
}

# kcat mode: words $1.. of COMP_WORDS are kcat's command line.
_kafkit_kcat()
{
        local cur=$1 prev=$2

        if _kafkit_in "$prev" "$_kafkit_kcat_arg_opts"; then
                _kafkit_value "$prev" "$cur" kcat
                return
        fi
        if [[ $cur == -* ]]; then
                _kafkit_words "$_kafkit_kcat_opts" "$cur"
        else
                _kafkit_files "$cur"     # -P files; -G topics are free text
        fi
}

_kafkit()
{
        local cur prev cmd ctx opts i base
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=
        ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
        # --opt=value split at '=' by COMP_WORDBREAKS
        if [[ $cur == = ]]; then
                cur=
        elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
                prev=${COMP_WORDS[COMP_CWORD - 2]}
        fi

        base=${COMP_WORDS[0]##*/}
        if [[ $base == kafkit-kcat || $base == kcat || $base == kafkacat ]]; then
                _kafkit_kcat "$cur" "$prev"
                return 0
        fi

        if ((COMP_CWORD == 1)); then
                if [[ $cur == -* ]]; then
                        _kafkit_words "--help --version $_kafkit_kcat_opts" "$cur"
                else
                        _kafkit_words "$_kafkit_commands" "$cur"
                fi
                return 0
        fi

        cmd=${COMP_WORDS[1]}
        case $cmd in
        --help | --version) return 0 ;;
        -*)
                _kafkit_kcat "$cur" "$prev"
                return 0 ;;
        help)
                ((COMP_CWORD == 2)) && _kafkit_words "$_kafkit_commands" "$cur"
                return 0 ;;
        schema)
                if ((COMP_CWORD == 2)); then
                        if [[ $cur == -* ]]; then
                                _kafkit_words "$_kafkit_opts_schema" "$cur"
                        else
                                _kafkit_words "$_kafkit_schema_commands" "$cur"
                        fi
                        return 0
                fi
                _kafkit_in "${COMP_WORDS[2]}" "$_kafkit_schema_commands" || return 0
                ctx=schema
                opts=_kafkit_opts_schema_${COMP_WORDS[2]}
                ;;
        *)
                _kafkit_in "$cmd" "$_kafkit_commands" || return 0
                ctx=$cmd
                opts=_kafkit_opts_$cmd
                ;;
        esac
        opts=${!opts}

        if _kafkit_in "$prev" "$_kafkit_arg_opts" && _kafkit_in "$prev" "$opts"; then
                _kafkit_value "$prev" "$cur" "$ctx"
                return 0
        fi
        if [[ $cur == -* ]]; then
                _kafkit_words "$opts" "$cur"
        elif [[ $ctx == produce || $ctx == schema ]]; then
                # produce reads FILEs; schema register/check read FILE.avsc
                if [[ $ctx == schema ]]; then
                        _kafkit_avsc "$cur"
                else
                        _kafkit_files "$cur"
                fi
        fi
        return 0
}

complete -F _kafkit kafkit kafkit-kcat
