#!/usr/bin/env bash
# Bundle python[:VERSION]: builds CPython with pyenv (the pyenv bundle must be installed
# first) and makes it pyenv's global Python. VERSION may be partial (3.12 = the newest 3.12.x
# pyenv knows); the default is the newest X.Y.Z in `pyenv install --list`.
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|latest, --force (rebuild), --proxychains URL (downloads only).
# Last stdout line: AGSEKIT-RESULT python installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=python
USAGE='python.sh [--version V|latest] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

parse_args "$@"
export PYENV_ROOT=$HOME/.pyenv
[ -x "$PYENV_ROOT/bin/pyenv" ] ||
    fail "pyenv is not installed in the VM ($PYENV_ROOT/bin/pyenv); install the pyenv bundle first (list both in install:, e.g. [pyenv, python])"
export PATH="$PYENV_ROOT/bin:$PATH"
case "$OPT_VERSION" in
    '' | latest)
        REQUESTED=$(pyenv install --list | sed 's/^ *//' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1) ||
            fail "pyenv install --list names no CPython release"
        ;;
    *)
        REQUESTED=$(pyenv latest --known "$OPT_VERSION" 2>/dev/null) ||
            fail "pyenv knows no Python $OPT_VERSION (pyenv install --list shows the choices; the pyenv bundle with --force updates the list)"
        ;;
esac
if [ "$OPT_FORCE" = 0 ] && pyenv versions --bare 2>/dev/null | grep -qxF "$REQUESTED"; then
    if [ "$(pyenv global 2>/dev/null | head -n 1)" != "$REQUESTED" ]; then
        pyenv global "$REQUESTED"
    fi
    INSTALLED=$REQUESTED
    already
fi
apt_install build-essential curl git ca-certificates libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev libncursesw5-dev xz-utils tk-dev libxml2-dev libxmlsec1-dev libffi-dev liblzma-dev
setup_proxychains
log "building Python $REQUESTED with pyenv (this takes a few minutes)"
if [ "$OPT_FORCE" = 1 ]; then
    net pyenv install --force "$REQUESTED" >&2 || fail "pyenv install $REQUESTED failed"
else
    net pyenv install --skip-existing "$REQUESTED" >&2 || fail "pyenv install $REQUESTED failed"
fi
pyenv global "$REQUESTED" || fail "pyenv global $REQUESTED failed"
log "installed: python $REQUESTED"
result installed "$REQUESTED"
}
