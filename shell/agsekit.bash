# agsekit shell integration for bash, printed by `agsekit init bash`.
# Load it from ~/.bashrc with:   eval "$(agsekit init bash)"
# It puts the agsekit shims first on PATH and keeps AGSEKIT_PROTECTION up to date at every
# prompt (see `agsekit prompt-state --help`). Safe to load twice; does nothing in
# non-interactive shells.

__agsekit_init() {
    case $- in
        *i*) ;;
        *) return 0 ;;
    esac
    local want_path='@WANT_PATH@' want_prompt='@WANT_PROMPT@'
    if [ -n "$want_path" ]; then
        local dir=@SHIMS_DIR@ p
        p=":$PATH:"
        p=${p//":$dir:"/:}
        p=${p#:}
        p=${p%:}
        PATH="$dir${p:+:$p}"
        export PATH
    fi
    if [ -n "$want_prompt" ]; then
        case ";${PROMPT_COMMAND:-};" in
            *";__agsekit_prompt_hook;"*) ;;
            *) PROMPT_COMMAND="__agsekit_prompt_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
        esac
    fi
}

__agsekit_prompt_hook() {
    local rc=$? prev_int
    prev_int=$(trap -p INT)
    trap -- '' INT
    AGSEKIT_PROTECTION=$(@AGSEKIT@ prompt-state 2>/dev/null)
    export AGSEKIT_PROTECTION
    if [ -n "$prev_int" ]; then
        eval "$prev_int"
    else
        trap - INT
    fi
    return "$rc"
}

__agsekit_init
unset -f __agsekit_init
