#!/usr/bin/env bash
# Bundle golang: Go from the Ubuntu archive (golang-go) plus build-essential. Everything comes
# from apt, so --proxychains is accepted for a uniform interface but changes nothing.
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --force (apt reinstall), --proxychains URL (no effect: apt only).
# Last stdout line: AGSEKIT-RESULT golang installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=golang
USAGE='golang.sh [--force] [--proxychains URL]'
ACCEPTS='force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

go_version() {
    command -v go >/dev/null 2>&1 || return 1
    local out
    out=$(go version 2>&1) || return 1
    [[ $out =~ go([0-9]+\.[0-9]+(\.[0-9]+)?) ]] || return 1
    printf '%s\n' "${BASH_REMATCH[1]}"
}

parse_args "$@"
if [ "$OPT_FORCE" = 0 ] && INSTALLED=$(go_version); then
    already
fi
apt_install golang-go build-essential
if [ "$OPT_FORCE" = 1 ]; then
    log "apt: reinstalling golang-go"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q -y \
        install --reinstall golang-go >&2 || fail "apt-get install --reinstall golang-go failed"
fi
hash -r
version=$(go_version) || fail "go does not run after the install"
log "installed: golang $version"
result installed "$version"
}
