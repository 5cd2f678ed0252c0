#!/usr/bin/env bash
# Bundle rust[:TOOLCHAIN]: rustup with a default toolchain (stable unless a version such as
# 1.82.0 or nightly is given), and ~/.cargo/env sourced from the shell profiles. Without
# --version an existing rustc + cargo counts as installed.
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version TOOLCHAIN, --force (reinstall the toolchain), --proxychains URL (downloads only).
# Last stdout line: AGSEKIT-RESULT rust installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=rust
USAGE='rust.sh [--version TOOLCHAIN] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

# shellcheck disable=SC2016 # expanded by the shell that reads the profile
CARGO_PROFILE='[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"'

rustc_version() {
    command -v rustc >/dev/null 2>&1 || return 1
    first_semver "$(rustc --version 2>&1)"
}

parse_args "$@"
export PATH="$HOME/.cargo/bin:$PATH"
toolchain=${OPT_VERSION:-stable}
if [ "$OPT_FORCE" = 0 ]; then
    if [ -z "$OPT_VERSION" ] && INSTALLED=$(rustc_version) && command -v cargo >/dev/null 2>&1; then
        add_profile_block cargo "$CARGO_PROFILE"
        already
    fi
    if [ -n "$OPT_VERSION" ] && command -v rustup >/dev/null 2>&1 &&
        rustup default 2>/dev/null | grep -q "^$toolchain-"; then
        INSTALLED=$(rustc_version) || INSTALLED=''
        already
    fi
fi
apt_install build-essential curl ca-certificates
setup_proxychains
if command -v rustup >/dev/null 2>&1; then
    log "installing the Rust $toolchain toolchain"
    force=()
    [ "$OPT_FORCE" = 0 ] || force=(--force)
    net rustup toolchain install "$toolchain" --profile minimal "${force[@]}" >&2 ||
        fail "rustup toolchain install $toolchain failed"
    rustup default "$toolchain" >&2 || fail "rustup default $toolchain failed"
else
    download https://sh.rustup.rs
    log "installing rustup with the $toolchain toolchain"
    net sh "$DOWNLOADED" -y --no-modify-path --profile minimal --default-toolchain "$toolchain" >&2 ||
        fail "the rustup installer failed"
fi
hash -r
add_profile_block cargo "$CARGO_PROFILE"
version=$(rustc_version) || fail "rustc does not run after the install"
log "installed: rust $version"
result installed "$version"
}
