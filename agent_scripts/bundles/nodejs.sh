#!/usr/bin/env bash
# Bundle nodejs[:VERSION]: installs Node.js with nvm (the nvm bundle must be installed first)
# and makes it nvm's default. VERSION is what nvm accepts (22, 22.11.0, lts, latest); the
# default is the current LTS. Without --force an already installed match is kept (an LTS
# default that is already set counts, so re-runs need no network).
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|lts|latest, --force, --proxychains URL (downloads only).
# Last stdout line: AGSEKIT-RESULT nodejs installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=nodejs
USAGE='nodejs.sh [--version V|lts|latest] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

nvm_local() {
    bash -c 'set +u; . "$NVM_DIR/nvm.sh" >/dev/null 2>&1 || exit 1; nvm "$@"' nvm "$@" 2>/dev/null
}

parse_args "$@"
export NVM_DIR=$HOME/.nvm
[ -s "$NVM_DIR/nvm.sh" ] ||
    fail "nvm is not installed in the VM ($NVM_DIR/nvm.sh); install the nvm bundle first (list both in install:, e.g. [nvm, nodejs])"
case "$OPT_VERSION" in
    '' | lts | lts/*) spec='' ;;
    latest | node | current) spec=node ;;
    *) spec=${OPT_VERSION#v} ;;
esac
if [ "$OPT_FORCE" = 0 ]; then
    default=$(first_semver "$(nvm_local version default)") || default=''
    if [ -z "$spec" ] && [ -n "$default" ]; then
        INSTALLED=$default
        already
    fi
    if [ -n "$spec" ] && [ "$spec" != node ]; then
        local_match=$(first_semver "$(nvm_local version "$spec")") || local_match=''
        if [ -n "$local_match" ] && [ "$local_match" = "$default" ]; then
            INSTALLED=$default
            already
        fi
    fi
fi
install_node "$spec"
version=$(first_semver "$(nvm_local version default)") || fail "nvm has no default Node.js after the install"
REQUESTED=$version
add_profile_block nvm "$NVM_PROFILE"
log "installed: nodejs $version"
result installed "$version"
}
