# shellcheck shell=bash
# Helpers shared by every provisioning script. Each script under agent_scripts/bundles/,
# agent_scripts/agents/ and agent_scripts/base.sh has one "@agsekit-provision-common@" marker
# line; the host sends this file in its place (src/provision/script.rs, `compose`), so what
# reaches the VM on stdin is self-contained.
#
# A script sets NAME, USAGE, ACCEPTS (the long options it takes, without dashes) and
# STABLE_VERSION (agents) before this block, then calls parse_args "$@".
# Output contract: progress on stderr, one final `AGSEKIT-RESULT NAME STATUS VERSION` line on
# stdout (STATUS is installed, already or failed; VERSION is `-` when unknown).
# Exit codes: 0 installed or already there, 1 failed, 2 bad arguments.

# The script came on stdin and is one { } group, so bash has read all of it by now; give
# every command an empty stdin so none can wait for input.
exec </dev/null

: "${NAME:=provision}" "${USAGE:=}" "${ACCEPTS:=}" "${STABLE_VERSION:=}"
OPT_VERSION='' OPT_FORCE=0 OPT_PROXYCHAINS='' OPT_SKIP_NVM=0
OPT_REPO='' OPT_TAG='' OPT_ASSET=''
REQUESTED='' INSTALLED='' RESULT_DONE=0 APT_UPDATED=0
PX=() PX_URL_KIND='' CLEANUP_FILES=() DOWNLOADED='' INSTALL_DIR=''
NVM_INSTALL_VERSION=0.40.3
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export HOME="${HOME:-/home/ubuntu}"
export PATH="/usr/local/bin:$HOME/.local/bin:$PATH"
# Every temporary file of the run lives here, created by this (main) shell and removed by its
# exit trap, so files made inside $(...) subshells are cleaned up too.
WORK_DIR=$(mktemp -d /tmp/agsekit-provision-XXXXXX) || {
    printf '%s: error: cannot create a temp folder in /tmp\n' "$NAME" >&2
    printf 'AGSEKIT-RESULT %s failed -\n' "$NAME"
    exit 1
}
CLEANUP_FILES+=("$WORK_DIR")

log() {
    printf '%s: %s\n' "$NAME" "$*" >&2
}

result() {
    printf 'AGSEKIT-RESULT %s %s %s\n' "$NAME" "$1" "${2:--}"
    RESULT_DONE=1
}

fail() {
    log "error: $*"
    result failed "${REQUESTED:--}"
    exit 1
}

usage_error() {
    log "error: $*"
    log "usage: $USAGE"
    result failed -
    exit 2
}

already() {
    log "already installed: $NAME ${INSTALLED:--}"
    result already "$INSTALLED"
    exit 0
}

# shellcheck disable=SC2317 # called from the EXIT trap
on_exit() {
    local rc=$?
    if declare -F extra_cleanup >/dev/null; then
        extra_cleanup || true
    fi
    if [ "${#CLEANUP_FILES[@]}" -gt 0 ]; then
        rm -rf -- "${CLEANUP_FILES[@]}" 2>/dev/null || true
    fi
    if [ "$RESULT_DONE" = 0 ]; then
        log "error: stopped unexpectedly (exit $rc)"
        printf 'AGSEKIT-RESULT %s failed -\n' "$NAME"
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT

accepts() {
    case " $ACCEPTS " in
        *" $1 "*) return 0 ;;
        *) return 1 ;;
    esac
}

parse_args() {
    local opt value
    while [ $# -gt 0 ]; do
        opt=$1
        case "$opt" in
            -h | --help)
                printf 'usage: %s\n' "$USAGE"
                RESULT_DONE=1
                exit 0
                ;;
            --*=*)
                value=${opt#*=}
                opt=${opt%%=*}
                shift
                set -- "$opt" "$value" "$@"
                continue
                ;;
            --version | --proxychains | --repo | --tag | --asset)
                accepts "${opt#--}" || usage_error "unknown option: $opt"
                [ $# -ge 2 ] || usage_error "$opt needs a value"
                value=$2
                case "$opt" in
                    --version) OPT_VERSION=$value ;;
                    --proxychains) OPT_PROXYCHAINS=$value ;;
                    --repo) OPT_REPO=$value ;;
                    --tag) OPT_TAG=$value ;;
                    --asset) OPT_ASSET=$value ;;
                esac
                shift 2
                ;;
            --force | --skip-nvm-install)
                accepts "${opt#--}" || usage_error "unknown option: $opt"
                case "$opt" in
                    --force) OPT_FORCE=1 ;;
                    --skip-nvm-install) OPT_SKIP_NVM=1 ;;
                esac
                shift
                ;;
            *) usage_error "unknown option or argument: $opt" ;;
        esac
    done
    if [ -n "$OPT_VERSION" ]; then
        case "$OPT_VERSION" in
            *[!0-9A-Za-z.+_-]* | [!0-9A-Za-z]*) usage_error "invalid version: $OPT_VERSION" ;;
        esac
    fi
    local item
    for item in "$OPT_REPO" "$OPT_TAG" "$OPT_ASSET"; do
        case "$item" in
            *[!0-9A-Za-z./+_-]* | .*) usage_error "invalid --repo/--tag/--asset value: $item" ;;
        esac
    done
    [ -z "$OPT_PROXYCHAINS" ] || parse_proxy_url "$OPT_PROXYCHAINS"
}

# Checks scheme://host:port and sets PX_URL_KIND to the proxychains4 kind.
parse_proxy_url() {
    local url=$1 scheme rest host port
    scheme=${url%%://*}
    rest=${url#*://}
    rest=${rest%/}
    host=${rest%:*}
    port=${rest##*:}
    if [ "$scheme" = "$url" ] || [ -z "$host" ] || [ "$host" = "$rest" ]; then
        usage_error "invalid --proxychains URL: $url (expected scheme://host:port)"
    fi
    case "$port" in '' | *[!0-9]*) usage_error "invalid port in --proxychains URL: $url" ;; esac
    case "$host" in *[!0-9A-Za-z.:_-]*) usage_error "invalid host in --proxychains URL: $url" ;; esac
    case "$scheme" in
        http | https) PX_URL_KIND="http $host $port" ;;
        socks4 | socks5) PX_URL_KIND="$scheme $host $port" ;;
        *) usage_error "unsupported --proxychains scheme: $scheme (use http, https, socks4 or socks5)" ;;
    esac
}

# Writes a temporary proxychains4 config (same content as the launcher's) and makes `net`
# run commands through it. Does nothing without --proxychains; safe to call twice.
setup_proxychains() {
    [ -n "$PX_URL_KIND" ] || return 0
    [ "${#PX[@]}" -eq 0 ] || return 0
    command -v proxychains4 >/dev/null 2>&1 || apt_install proxychains4
    local conf=$WORK_DIR/proxychains.conf
    printf '%s\n' strict_chain proxy_dns 'remote_dns_subnet 224' 'tcp_read_time_out 15000' \
        'tcp_connect_time_out 8000' 'localnet 127.0.0.0/255.0.0.0' '[ProxyList]' \
        "$PX_URL_KIND" >"$conf"
    PX=(proxychains4 -q -f "$conf")
    log "network steps go through proxychains ($PX_URL_KIND)"
}

# Runs a network step (download, clone, package install), through proxychains when asked.
net() {
    "${PX[@]}" "$@"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

# Installs the apt packages that are missing. Never proxied (apt has its own proxy settings).
apt_install() {
    local pkg missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ "${#missing[@]}" -gt 0 ] || return 0
    log "apt: installing ${missing[*]}"
    if [ "$APT_UPDATED" = 0 ]; then
        as_root apt-get -o DPkg::Lock::Timeout=600 -q update >&2 || fail "apt-get update failed"
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q -y \
        install --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]} failed"
}

# Downloads URL to a new file in WORK_DIR and sets DOWNLOADED to its path.
download() {
    local url=$1
    DOWNLOADED=$(mktemp "$WORK_DIR/download-XXXXXX") || fail "cannot create a temp file in $WORK_DIR"
    log "downloading $url"
    net curl -fsSL --retry 3 -o "$DOWNLOADED" "$url" >&2 || fail "download failed: $url"
}

first_semver() {
    local re='v?([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*[0-9A-Za-z])?)'
    [[ $1 =~ $re ]] || return 1
    printf '%s\n' "${BASH_REMATCH[1]}"
}

# Prints the first X.Y.Z in `BIN --version`; fails when BIN is missing or does not run.
installed_version() {
    local out
    command -v "$1" >/dev/null 2>&1 || return 1
    out=$("$1" --version 2>&1) || return 1
    first_semver "$out"
}

# Sets REQUESTED from --version: empty for latest, the pinned version for stable.
resolve_requested() {
    case "$OPT_VERSION" in
        '' | latest) REQUESTED='' ;;
        stable)
            REQUESTED=$STABLE_VERSION
            [ -n "$REQUESTED" ] || log "no pinned stable version: installing the latest"
            ;;
        *) REQUESTED=${OPT_VERSION#v} ;;
    esac
}

# Exits with `already` when BIN is installed at the requested version. For `latest`, LOOKUP
# (an optional function printing the newest upstream version) decides; without one, or when
# it fails, any installed version counts as already there. Sets INSTALLED; when LOOKUP names
# a newer version, REQUESTED becomes that version.
guard_installed() {
    local bin=$1 lookup=${2:-} latest
    INSTALLED=$(installed_version "$bin") || INSTALLED=''
    [ -n "$INSTALLED" ] || return 0
    if [ "$OPT_FORCE" = 1 ]; then
        log "reinstalling over $bin $INSTALLED (--force)"
        return 0
    fi
    if [ -n "$REQUESTED" ]; then
        [ "$INSTALLED" != "$REQUESTED" ] || already
        log "$bin $INSTALLED is installed, $REQUESTED requested"
        return 0
    fi
    if [ -n "$lookup" ]; then
        setup_proxychains
        if latest=$("$lookup") && latest=$(first_semver "$latest"); then
            [ "$INSTALLED" != "$latest" ] || already
            log "$bin $INSTALLED is installed, the latest is $latest"
            REQUESTED=$latest
            return 0
        fi
        log "could not look up the latest version; keeping $INSTALLED (use --version V or --force)"
    else
        log "the latest version is not looked up here; use --version V or --force to change it"
    fi
    already
}

# Checks BIN after an install and prints the final result line.
finish_installed() {
    local bin=$1 version
    hash -r
    version=$(installed_version "$bin") || fail "$bin does not run after the install"
    if [ -n "$REQUESTED" ] && [ "$version" != "$REQUESTED" ]; then
        log "warning: $bin reports $version, $REQUESTED was requested"
    fi
    log "installed: $NAME $version"
    result installed "$version"
    exit 0
}

# Appends a marked block to ~/.profile and ~/.bashrc (and ~/.bash_profile when it exists,
# since bash then skips ~/.profile). A block already present is left alone.
add_profile_block() {
    local key=$1 body=$2 file
    for file in "$HOME/.profile" "$HOME/.bashrc" "$HOME/.bash_profile"; do
        if [ "$file" = "$HOME/.bash_profile" ] && [ ! -e "$file" ]; then
            continue
        fi
        if grep -qF "# >>> agsekit $key >>>" "$file" 2>/dev/null; then
            continue
        fi
        printf '\n# >>> agsekit %s >>>\n%s\n# <<< agsekit %s <<<\n' "$key" "$body" "$key" >>"$file"
    done
}

# shellcheck disable=SC2016 # expanded later, by the shell that reads the profile
NVM_PROFILE='export NVM_DIR="$HOME/.nvm"
[ -s "$NVM_DIR/nvm.sh" ] && . "$NVM_DIR/nvm.sh"'

# Loads nvm and its default Node into this shell; fails when nvm is not installed.
load_nvm() {
    export NVM_DIR="${NVM_DIR:-$HOME/.nvm}"
    [ -s "$NVM_DIR/nvm.sh" ] || return 1
    set +eu
    # shellcheck disable=SC1091
    . "$NVM_DIR/nvm.sh" >/dev/null 2>&1
    nvm use --silent default >/dev/null 2>&1
    set -eu
    return 0
}

# Runs an nvm command in a child bash (through proxychains when asked: nvm downloads).
nvm_net() {
    # shellcheck disable=SC2016 # expanded by the child bash
    net bash -c 'set +u; . "$NVM_DIR/nvm.sh" >/dev/null 2>&1 || exit 1; nvm "$@"' nvm "$@"
}

install_nvm() {
    export NVM_DIR="${NVM_DIR:-$HOME/.nvm}"
    apt_install curl ca-certificates git
    setup_proxychains
    download "https://raw.githubusercontent.com/nvm-sh/nvm/v$NVM_INSTALL_VERSION/install.sh"
    log "installing nvm $NVM_INSTALL_VERSION"
    PROFILE=/dev/null net bash "$DOWNLOADED" >&2 || fail "the nvm installer failed"
    [ -s "$NVM_DIR/nvm.sh" ] || fail "nvm is missing after its installer ran ($NVM_DIR/nvm.sh)"
    add_profile_block nvm "$NVM_PROFILE"
}

# Installs Node SPEC (a version, or empty for the current LTS) with nvm and makes it the
# default. Prints nothing on stdout.
install_node() {
    local spec=$1 version
    setup_proxychains
    if [ -z "$spec" ]; then
        version=$(nvm_net version-remote --lts 2>/dev/null | tail -n 1) || version=''
        version=$(first_semver "$version") || fail "could not look up the current Node.js LTS version"
    else
        version=$(nvm_net version-remote "$spec" 2>/dev/null | tail -n 1) || version=''
        version=$(first_semver "$version") || fail "Node.js $spec is not a known version"
    fi
    log "installing Node.js $version"
    nvm_net install "$version" >&2 || fail "nvm install $version failed"
    nvm_net alias default "$version" >&2 || fail "nvm alias default $version failed"
}

# Whether nvm's default Node.js is active with its npm (a system Node.js from apt does not
# count: its global installs need root and are not what the launcher loads).
nvm_node_ready() {
    load_nvm && [ -n "${NVM_BIN:-}" ] && [ -x "$NVM_BIN/npm" ]
}

# Makes sure nvm, Node.js and npm are usable, installing them unless --skip-nvm-install.
ensure_node() {
    if nvm_node_ready; then
        return 0
    fi
    if [ "$OPT_SKIP_NVM" = 1 ]; then
        fail "Node.js from nvm is not installed and --skip-nvm-install was given (install the nvm and nodejs bundles first)"
    fi
    [ -s "${NVM_DIR:-$HOME/.nvm}/nvm.sh" ] || install_nvm
    load_nvm || fail "nvm does not load"
    install_node ''
    nvm_node_ready || fail "npm from nvm's Node.js is missing after installing Node.js"
}

# The whole flow of an agent that npm installs globally: PACKAGE BINARY SCRIPT-ARGS...
# A script may define `before_install` (apt packages and such), run once an install is due.
npm_agent() {
    local pkg=$1 bin=$2
    shift 2
    NPM_PACKAGE=$pkg
    parse_args "$@"
    resolve_requested
    load_nvm || true
    guard_installed "$bin" latest_npm_version
    if declare -F before_install >/dev/null; then
        before_install
    fi
    setup_proxychains
    ensure_node
    if [ "$OPT_FORCE" = 1 ] && [ -n "$INSTALLED" ]; then
        npm uninstall -g "$pkg" >&2 || log "npm uninstall -g $pkg failed; installing over it"
    fi
    log "npm install -g $pkg@${REQUESTED:-latest}"
    net npm install -g "$pkg@${REQUESTED:-latest}" >&2 || fail "npm install -g $pkg@${REQUESTED:-latest} failed"
    finish_installed "$bin"
}

# The latest version of the npm package (the lookup npm_agent gives guard_installed).
latest_npm_version() {
    nvm_node_ready || return 1
    setup_proxychains
    net npm view "$NPM_PACKAGE" version 2>/dev/null
}
NPM_PACKAGE=''

# Writes /etc/logrotate.d/codex-tui for ~/.codex/log/codex-tui.log (codex agents).
codex_logrotate() {
    local user
    if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
        log "warning: no passwordless sudo; ~/.codex/log/codex-tui.log is not rotated"
        return 0
    fi
    user=$(id -un)
    apt_install logrotate
    printf '%s\n' "$HOME/.codex/log/codex-tui.log {" '    size 100M' '    rotate 10' '    compress' \
        '    delaycompress' '    missingok' '    notifempty' '    copytruncate' "    su $user $user" '}' |
        as_root tee /etc/logrotate.d/codex-tui >/dev/null || log "warning: could not write /etc/logrotate.d/codex-tui"
}

# Prints the highest X.Y.Z among the tags PREFIX<X.Y.Z> of the git repository URL.
latest_git_tag_version() {
    local url=$1 prefix=$2
    command -v git >/dev/null 2>&1 || return 1
    setup_proxychains
    net git ls-remote --tags --refs "$url" "$prefix*" 2>/dev/null |
        sed -n "s#^.*refs/tags/$prefix\\([0-9]*\\.[0-9]*\\.[0-9]*\\)\$#\\1#p" |
        sort -V | tail -n 1 | grep .
}

# Installs the executable SRC as NAME: in /usr/local/bin when sudo works without a password,
# else in ~/.local/bin (which the launcher and login shells put on PATH). Sets INSTALL_DIR.
install_binary() {
    local src=$1 name=$2
    if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
        as_root install -m 0755 "$src" "/usr/local/bin/$name" >&2 || fail "cannot install /usr/local/bin/$name"
        # shellcheck disable=SC2034 # read by the calling script
        INSTALL_DIR=/usr/local/bin
    else
        mkdir -p "$HOME/.local/bin"
        install -m 0755 "$src" "$HOME/.local/bin/$name" || fail "cannot install ~/.local/bin/$name"
        # shellcheck disable=SC2016 # expanded by the shell that reads the profile
        add_profile_block local-bin 'case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$HOME/.local/bin:$PATH" ;; esac'
        # shellcheck disable=SC2034 # read by the calling script
        INSTALL_DIR=$HOME/.local/bin
    fi
}

# Installs codex-code-mode-host VERSION into DIR, next to a codex binary. Upstream does not
# publish it for every release, so a failed download is only a warning.
install_code_mode_host() {
    local version=$1 dir=$2 arch url file unpacked host
    case "$(uname -m)" in
        aarch64 | arm64) arch=aarch64 ;;
        *) arch=x86_64 ;;
    esac
    url="https://github.com/openai/codex/releases/download/rust-v$version/codex-code-mode-host-$arch-unknown-linux-musl.tar.gz"
    file=$(mktemp "$WORK_DIR/download-XXXXXX") || return 0
    if ! net curl -fsSL --retry 3 -o "$file" "$url" >&2; then
        log "warning: no codex-code-mode-host for $version ($url); Code Mode stays unavailable"
        return 0
    fi
    unpacked=$(mktemp -d "$WORK_DIR/unpack-XXXXXX") || return 0
    tar -xzf "$file" -C "$unpacked" || { log "warning: cannot unpack $url"; return 0; }
    host=$(find "$unpacked" -type f -name 'codex-code-mode-host*' -print -quit)
    [ -n "$host" ] || { log "warning: $url holds no codex-code-mode-host"; return 0; }
    if [ "$dir" = /usr/local/bin ]; then
        as_root install -m 0755 "$host" "$dir/codex-code-mode-host" >&2 || log "warning: cannot install codex-code-mode-host"
    else
        install -m 0755 "$host" "$dir/codex-code-mode-host" || log "warning: cannot install codex-code-mode-host"
    fi
}
