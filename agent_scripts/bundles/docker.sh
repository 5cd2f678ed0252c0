#!/usr/bin/env bash
# Bundle docker: Docker Engine from Docker's apt repository (docker-ce, CLI, containerd,
# buildx and compose plugins) and the user in the docker group (effective at the next
# login). Skipped when `docker` already runs.
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --force (write the repository again and install what is missing), --proxychains URL
#        (the repository key download only; apt is never proxied).
# Last stdout line: AGSEKIT-RESULT docker installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=docker
USAGE='docker.sh [--force] [--proxychains URL]'
ACCEPTS='force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

parse_args "$@"
if [ "$OPT_FORCE" = 0 ] && INSTALLED=$(installed_version docker); then
    already
fi
apt_install ca-certificates curl
setup_proxychains
# shellcheck disable=SC1091 # a system file of the VM
codename=$(. /etc/os-release && printf '%s' "${UBUNTU_CODENAME:-${VERSION_CODENAME:-}}")
[ -n "$codename" ] || fail "cannot tell the Ubuntu release from /etc/os-release"
arch=$(dpkg --print-architecture) || fail "dpkg --print-architecture failed"
download https://download.docker.com/linux/ubuntu/gpg
as_root install -m 0755 -d /etc/apt/keyrings || fail "cannot create /etc/apt/keyrings"
as_root install -m 0644 "$DOWNLOADED" /etc/apt/keyrings/docker.asc || fail "cannot install /etc/apt/keyrings/docker.asc"
printf '%s\n' 'Types: deb' 'URIs: https://download.docker.com/linux/ubuntu' "Suites: $codename" \
    'Components: stable' "Architectures: $arch" 'Signed-By: /etc/apt/keyrings/docker.asc' |
    as_root tee /etc/apt/sources.list.d/docker.sources >/dev/null || fail "cannot write /etc/apt/sources.list.d/docker.sources"
APT_UPDATED=0
apt_install docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
as_root usermod -aG docker "$(id -un)" || fail "cannot add $(id -un) to the docker group"
hash -r
version=$(installed_version docker) || fail "docker does not run after the install"
log "installed: docker $version ($(id -un) is in the docker group from the next login)"
result installed "$version"
}
