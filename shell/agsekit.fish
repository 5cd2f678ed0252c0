# agsekit shell integration for fish, printed by `agsekit init fish`.
# Load it from ~/.config/fish/config.fish with:   agsekit init fish | source
# It puts the agsekit shims first on PATH and keeps AGSEKIT_PROTECTION up to date at every
# prompt (see `agsekit prompt-state --help`). Safe to load twice; does nothing in
# non-interactive shells.

if status is-interactive
    if test -n "@WANT_PATH@"
        set -l __agsekit_shims @SHIMS_DIR@
        set -gx PATH $__agsekit_shims (string match -v -- $__agsekit_shims $PATH)
    end
    if test -n "@WANT_PROMPT@"
        function __agsekit_prompt_hook --on-event fish_prompt
            set -gx AGSEKIT_PROTECTION (@AGSEKIT@ prompt-state 2>/dev/null)
        end
    end
end
