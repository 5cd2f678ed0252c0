#!/usr/bin/env bash
# Installs ForgeCode (binary `forge`) inside the VM with the upstream installer, which puts
# it in ~/.local/bin. The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest; stable = 2.12.14), --force,
#        --proxychains URL (network steps only).
# Last stdout line: AGSEKIT-RESULT forgecode installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=forgecode
USAGE='forgecode.sh [--version V|stable|latest] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'
STABLE_VERSION=2.12.14

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

parse_args "$@"
resolve_requested
guard_installed forge
apt_install curl ca-certificates
setup_proxychains
download https://forgecode.dev/cli
log "running the ForgeCode installer ${REQUESTED:-(latest)}"
version_arg=()
[ -z "$REQUESTED" ] || version_arg=("$REQUESTED")
net bash "$DOWNLOADED" "${version_arg[@]}" >&2 || fail "the ForgeCode installer failed"
finish_installed forge
}
