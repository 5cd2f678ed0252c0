#!/usr/bin/env bash
# Builds Codex from source inside the VM against the VM's glibc and installs it as
# `codex-glibc` (/usr/local/bin with passwordless sudo, else ~/.local/bin). The build is sized
# for small VMs: one job, no LTO, and a temporary swap file when MemAvailable + SwapFree is
# under 3 GiB. The Rust toolchain it installs for the build is removed afterwards.
# The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest release; stable = 0.130.0), --force,
#        --proxychains URL (network steps only).
# Last stdout line: AGSEKIT-RESULT codex-glibc installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=codex-glibc
USAGE='codex-glibc.sh [--version V|stable|latest] [--force] [--proxychains URL]'
ACCEPTS='version force proxychains'
STABLE_VERSION=0.130.0
CODEX_REPO_URL=https://github.com/openai/codex.git
RUST_TOOLCHAIN=1.95.0
SWAP_FILE='' RUSTUP_ADDED=0 TOOLCHAIN_ADDED=0

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

latest_codex_version() {
    latest_git_tag_version "$CODEX_REPO_URL" rust-v
}

extra_cleanup() {
    rm -rf "$HOME/.tmp/build-codex-glibc"
    if [ "$TOOLCHAIN_ADDED" = 1 ] && [ "$RUSTUP_ADDED" = 0 ]; then
        rustup toolchain uninstall "$RUST_TOOLCHAIN" >&2 || true
    fi
    if [ "$RUSTUP_ADDED" = 1 ]; then
        rustup self uninstall -y >&2 || true
    fi
    if [ -n "$SWAP_FILE" ]; then
        as_root swapoff "$SWAP_FILE" 2>/dev/null || true
        as_root rm -f "$SWAP_FILE" || true
    fi
}

# Adds a temporary swap file when MemAvailable + SwapFree is under 3 GiB (size: the deficit,
# at least 1 GiB); rustc needs that much for the Codex crates.
ensure_build_memory() {
    local avail swap need=$((3 * 1024 * 1024)) deficit size
    avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    swap=$(awk '/^SwapFree:/ {print $2}' /proc/meminfo)
    [ "$((avail + swap))" -lt "$need" ] || return 0
    deficit=$((need - avail - swap))
    size=$((deficit > 1024 * 1024 ? deficit : 1024 * 1024))
    log "adding a temporary $((size / 1024)) MiB swap file for the build"
    SWAP_FILE=$(as_root mktemp /var/tmp/codex-glibc-swap-XXXXXX) || fail "cannot create a swap file in /var/tmp"
    as_root fallocate -l "${size}K" "$SWAP_FILE" ||
        as_root dd if=/dev/zero of="$SWAP_FILE" bs=1K count="$size" status=none ||
        fail "cannot size the swap file $SWAP_FILE"
    as_root chmod 600 "$SWAP_FILE"
    as_root mkswap "$SWAP_FILE" >&2 || fail "mkswap $SWAP_FILE failed"
    as_root swapon "$SWAP_FILE" || fail "swapon $SWAP_FILE failed"
}

ensure_toolchain() {
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! command -v rustup >/dev/null 2>&1; then
        download https://sh.rustup.rs
        log "installing rustup (removed again after the build)"
        net sh "$DOWNLOADED" -y --no-modify-path --profile minimal --default-toolchain none >&2 ||
            fail "the rustup installer failed"
        RUSTUP_ADDED=1
        hash -r
    fi
    if ! rustup toolchain list 2>/dev/null | grep -q "^$RUST_TOOLCHAIN-"; then
        log "installing the Rust $RUST_TOOLCHAIN toolchain for the build"
        net rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal >&2 ||
            fail "rustup toolchain install $RUST_TOOLCHAIN failed"
        TOOLCHAIN_ADDED=1
    fi
}

parse_args "$@"
resolve_requested
guard_installed codex-glibc latest_codex_version
apt_install bubblewrap build-essential pkg-config libssl-dev curl git ca-certificates
setup_proxychains
if [ -z "$REQUESTED" ]; then
    REQUESTED=$(latest_codex_version) || fail "could not find the latest Codex release (tags rust-v* of $CODEX_REPO_URL)"
fi
case "$(uname -m)" in
    x86_64 | amd64) triple=x86_64-unknown-linux-gnu ;;
    aarch64 | arm64) triple=aarch64-unknown-linux-gnu ;;
    *) fail "unsupported CPU architecture for the Codex build: $(uname -m)" ;;
esac
ensure_build_memory
ensure_toolchain
src=$WORK_DIR/codex-src
log "cloning Codex rust-v$REQUESTED"
net git clone --quiet --depth 1 --branch "rust-v$REQUESTED" "$CODEX_REPO_URL" "$src/codex" >&2 ||
    fail "git clone of rust-v$REQUESTED failed (is $REQUESTED a Codex release?)"
manifest=''
for candidate in "$src/codex/codex-rs/cli/Cargo.toml" "$src"/codex/codex-rs/*/Cargo.toml; do
    if [ -f "$candidate" ] && grep -q '^name = "codex-cli"' "$candidate"; then
        manifest=$candidate
        break
    fi
done
[ -n "$manifest" ] || fail "no codex-cli package in the Codex sources of rust-v$REQUESTED"
main_rs=$(dirname "$manifest")/src/main.rs
if [ -f "$main_rs" ] && ! grep -q 'recursion_limit' "$main_rs"; then
    sed -i '1i #![recursion_limit = "256"]' "$main_rs"
fi
target_dir=$HOME/.tmp/build-codex-glibc/target
log "building Codex $REQUESTED for $triple (one job; this takes a while)"
(
    cd "$(dirname "$manifest")"
    export CARGO_BUILD_JOBS=1 CARGO_TARGET_DIR="$target_dir" CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_DEBUG=false
    net cargo "+$RUST_TOOLCHAIN" build --release --bin codex --target "$triple" >&2
) || fail "the Codex build failed"
install_binary "$target_dir/$triple/release/codex" codex-glibc
codex_logrotate
install_code_mode_host "$REQUESTED" "$INSTALL_DIR"
finish_installed codex-glibc
}
