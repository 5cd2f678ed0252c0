#!/usr/bin/env bash
# Bundle pyenv: the Python version manager in ~/.pyenv, with the packages CPython builds
# need, and PYENV_ROOT/PATH/init lines in the shell profiles. --force reinstalls pyenv and
# keeps the Pythons already built (~/.pyenv/versions).
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --force, --proxychains URL (downloads only; apt is never proxied).
# Last stdout line: AGSEKIT-RESULT pyenv installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=pyenv
USAGE='pyenv.sh [--force] [--proxychains URL]'
ACCEPTS='force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

PYENV_ROOT=$HOME/.pyenv
# shellcheck disable=SC2016 # expanded by the shell that reads the profile
PYENV_PROFILE='export PYENV_ROOT="$HOME/.pyenv"
[ -d "$PYENV_ROOT/bin" ] && export PATH="$PYENV_ROOT/bin:$PATH"
command -v pyenv >/dev/null 2>&1 && eval "$(pyenv init - bash)"'

kept=''
# --force moves the built Pythons aside while pyenv is reinstalled; if that fails they go
# back rather than stay stranded.
extra_cleanup() {
    if [ -n "$kept" ] && [ -d "$kept/versions" ]; then
        mkdir -p "$PYENV_ROOT"
        rm -rf "${PYENV_ROOT:?}/versions"
        mv "$kept/versions" "$PYENV_ROOT/versions"
        rmdir "$kept" 2>/dev/null || true
    fi
}

parse_args "$@"
if [ -x "$PYENV_ROOT/bin/pyenv" ]; then
    INSTALLED=$(first_semver "$("$PYENV_ROOT/bin/pyenv" --version 2>&1)") || INSTALLED=''
    if [ "$OPT_FORCE" = 0 ]; then
        add_profile_block pyenv "$PYENV_PROFILE"
        already
    fi
fi
apt_install build-essential curl git ca-certificates libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev libncursesw5-dev xz-utils tk-dev libxml2-dev libxmlsec1-dev libffi-dev liblzma-dev
setup_proxychains
download https://pyenv.run
if [ -d "$PYENV_ROOT" ]; then
    if [ -d "$PYENV_ROOT/versions" ]; then
        kept=$(mktemp -d "$HOME/.pyenv-versions-XXXXXX")
        mv "$PYENV_ROOT/versions" "$kept/versions"
    fi
    rm -rf "$PYENV_ROOT"
fi
log "installing pyenv"
net bash "$DOWNLOADED" >&2 || fail "the pyenv installer failed"
extra_cleanup
[ -x "$PYENV_ROOT/bin/pyenv" ] || fail "pyenv is missing after its installer ran ($PYENV_ROOT/bin/pyenv)"
add_profile_block pyenv "$PYENV_PROFILE"
version=$(first_semver "$("$PYENV_ROOT/bin/pyenv" --version 2>&1)") || version=''
log "installed: pyenv ${version:--}"
result installed "$version"
}
