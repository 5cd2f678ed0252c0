#!/usr/bin/env bash
# Bundle nvm: the Node.js version manager (nvm 0.40.3) in ~/.nvm, with NVM_DIR lines in the
# shell profiles. --force runs the nvm installer again (it updates in place).
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --force, --proxychains URL (downloads only; apt is never proxied).
# Last stdout line: AGSEKIT-RESULT nvm installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=nvm
USAGE='nvm.sh [--force] [--proxychains URL]'
ACCEPTS='force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

nvm_version() {
    bash -c 'set +u; . "$NVM_DIR/nvm.sh" >/dev/null 2>&1; nvm --version' 2>/dev/null
}

parse_args "$@"
export NVM_DIR=$HOME/.nvm
if [ -s "$NVM_DIR/nvm.sh" ] && [ "$OPT_FORCE" = 0 ]; then
    INSTALLED=$(first_semver "$(nvm_version)") || INSTALLED=''
    add_profile_block nvm "$NVM_PROFILE"
    already
fi
install_nvm
version=$(first_semver "$(nvm_version)") || version=''
log "installed: nvm ${version:--}"
result installed "$version"
}
