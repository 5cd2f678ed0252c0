# agsekit shell integration for zsh, printed by `agsekit init zsh`.
# Load it from ~/.zshrc with:   eval "$(agsekit init zsh)"
# It puts the agsekit shims first on PATH and keeps AGSEKIT_PROTECTION up to date at every
# prompt (see `agsekit prompt-state --help`). Safe to load twice; does nothing in
# non-interactive shells.

if [[ -o interactive ]]; then
    if [[ -n "@WANT_PATH@" ]]; then
        typeset -g __agsekit_shims=@SHIMS_DIR@
        path=("$__agsekit_shims" ${path:#$__agsekit_shims})
        export PATH
    fi
    if [[ -n "@WANT_PROMPT@" ]]; then
        __agsekit_prompt_hook() {
            local rc=$?
            setopt localoptions localtraps
            trap '' INT
            AGSEKIT_PROTECTION=$(@AGSEKIT@ prompt-state 2>/dev/null)
            export AGSEKIT_PROTECTION
            return $rc
        }
        autoload -Uz add-zsh-hook
        add-zsh-hook precmd __agsekit_prompt_hook
    fi
fi
