#!/usr/bin/env bash
# Installs Aider (PyPI aider-chat, binary `aider`) inside the VM as a uv tool on Python 3.12
# (uv itself comes from pip --user). The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest; stable = 0.86.2), --force,
#        --proxychains URL (network steps only).
# Last stdout line: AGSEKIT-RESULT aider installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=aider
USAGE='aider.sh [--version V|stable|latest] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'
STABLE_VERSION=0.86.2

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

parse_args "$@"
resolve_requested
guard_installed aider
apt_install python3-pip ca-certificates
setup_proxychains
uv=$HOME/.local/bin/uv
if [ ! -x "$uv" ]; then
    log "installing uv with pip --user"
    # Ubuntu 23.04+ needs --break-system-packages for pip --user; older pips do not know it.
    net python3 -m pip install --user --break-system-packages uv >&2 ||
        net python3 -m pip install --user uv >&2 || fail "pip install --user uv failed"
fi
spec=aider-chat
[ -z "$REQUESTED" ] || spec="aider-chat==$REQUESTED"
reinstall=()
[ -z "$INSTALLED" ] || reinstall=(--force --reinstall)
log "uv tool install $spec"
net "$uv" tool install --python 3.12 "${reinstall[@]}" "$spec" >&2 || fail "uv tool install $spec failed"
finish_installed aider
}
