#!/usr/bin/env bash
# Base provisioning of an agsekit VM: waits for cloud-init, then installs the apt packages
# the product relies on inside the VM (bubblewrap for agent sandboxes, proxychains4 and
# privoxy for the launcher's proxy modes, logrotate, curl, git and everyday tools). Safe to
# re-run: nothing is installed when everything is there. The VM-side launcher is NOT
# installed here; create-vm transfers it separately (docs/launcher.md).
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [--force]
# Flags: --force (run apt-get update and install even when nothing is missing).
# Last stdout line: AGSEKIT-RESULT base installed|already|failed BASE_VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=base
USAGE='base.sh [--force]'
ACCEPTS='force'
# Raised whenever the package list changes, so the host can tell old provisioning apart.
BASE_VERSION=1
BASE_PACKAGES=(bubblewrap proxychains4 privoxy curl git ca-certificates logrotate gzip ripgrep
    zip unzip zstd zsh mc)

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

parse_args "$@"
if command -v cloud-init >/dev/null 2>&1; then
    log "waiting for cloud-init to finish"
    cloud-init status --wait >/dev/null 2>&1 || log "warning: cloud-init reports an error; continuing"
fi
mkdir -p "$HOME/.local/bin"
missing=()
for pkg in "${BASE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
have_7z=0
# Debian 12's 7zip package has only 7zz; p7zip-full (and Ubuntu's 7zip) give 7z.
{ command -v 7z || command -v 7zz; } >/dev/null 2>&1 && have_7z=1
if [ "${#missing[@]}" -eq 0 ] && [ "$have_7z" = 1 ] && [ "$OPT_FORCE" = 0 ]; then
    INSTALLED=$BASE_VERSION
    log "all base packages are installed"
    already
fi
as_root apt-get -o DPkg::Lock::Timeout=600 -q update >&2 || fail "apt-get update failed"
APT_UPDATED=1
packages=("${BASE_PACKAGES[@]}")
# 7-Zip is packaged as 7zip from Ubuntu 24.04 on and as p7zip-full before.
if [ "$have_7z" = 0 ]; then
    if apt-cache show 7zip >/dev/null 2>&1; then
        packages+=(7zip)
    else
        packages+=(p7zip-full)
    fi
fi
apt_install "${packages[@]}"
log "installed: base packages (version $BASE_VERSION)"
result installed "$BASE_VERSION"
}
