#!/usr/bin/env bash
# Installs a prebuilt glibc Codex as `codex-glibc-prebuilt` (/usr/local/bin with passwordless
# sudo, else ~/.local/bin), downloaded from the GitHub releases of the agsekit project (tags
# codex-glibc-rust-vX.Y.Z, asset codex-glibc-linux-<amd64|arm64>.gz). No checksum is published
# upstream, so none is checked. The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest release; stable = 0.130.0), --force,
#        --proxychains URL (network steps only), --repo OWNER/NAME, --tag TAG, --asset FILE
#        (the host passes AGSEKIT_CODEX_GLIBC_PREBUILT_REPO/TAG/ASSET as these; --tag wins
#        over --version).
# Last stdout line: AGSEKIT-RESULT codex-glibc-prebuilt installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=codex-glibc-prebuilt
USAGE='codex-glibc-prebuilt.sh [--version V|stable|latest] [--force] [--proxychains URL] [--repo OWNER/NAME] [--tag TAG] [--asset FILE]'
ACCEPTS='version force proxychains repo tag asset'
STABLE_VERSION=0.130.0
DEFAULT_REPO=MihanEntalpo/agent-safety-kit
TAG_PREFIX=codex-glibc-rust-v

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

latest_prebuilt_version() {
    latest_git_tag_version "https://github.com/$repo.git" "$TAG_PREFIX"
}

parse_args "$@"
repo=${OPT_REPO:-$DEFAULT_REPO}
case "$repo" in
    */*) ;;
    *) usage_error "--repo must look like OWNER/NAME, got $repo" ;;
esac
case "$(uname -m)" in
    aarch64 | arm64) arch=arm64 ;;
    *) arch=amd64 ;;
esac
asset=${OPT_ASSET:-codex-glibc-linux-$arch.gz}
resolve_requested
if [ -n "$OPT_TAG" ]; then
    REQUESTED=$(first_semver "$OPT_TAG") || usage_error "--tag $OPT_TAG names no X.Y.Z version"
    tag=$OPT_TAG
    guard_installed codex-glibc-prebuilt
else
    guard_installed codex-glibc-prebuilt latest_prebuilt_version
    apt_install git ca-certificates
    if [ -z "$REQUESTED" ]; then
        REQUESTED=$(latest_prebuilt_version) || fail "no $TAG_PREFIX* release found in $repo"
    fi
    tag=$TAG_PREFIX$REQUESTED
fi
apt_install bubblewrap curl gzip ca-certificates
setup_proxychains
url="https://github.com/$repo/releases/download/$tag/$asset"
download "$url"
file=$DOWNLOADED
binary=$WORK_DIR/codex-glibc-prebuilt
case "$asset" in
    *.gz) gzip -dc "$file" >"$binary" || fail "$asset is not a gzip file" ;;
    *) cp "$file" "$binary" ;;
esac
install_binary "$binary" codex-glibc-prebuilt
codex_logrotate
install_code_mode_host "$REQUESTED" "$INSTALL_DIR"
finish_installed codex-glibc-prebuilt
}
