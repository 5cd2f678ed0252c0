#!/usr/bin/env bash
# Installs Claude Code (npm package @anthropic-ai/claude-code, binary `claude`) inside the VM, with Node.js from nvm
# (installed first when missing, unless --skip-nvm-install). The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest; stable = 2.1.141), --force,
#        --proxychains URL (network steps only), --skip-nvm-install.
# Last stdout line: AGSEKIT-RESULT claude installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=claude
USAGE='claude.sh [--version V|stable|latest] [--force] [--proxychains URL] [--skip-nvm-install]'
ACCEPTS='version force proxychains skip-nvm-install'
STABLE_VERSION=2.1.141

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

before_install() {
    apt_install curl ca-certificates
}

npm_agent @anthropic-ai/claude-code claude "$@"
}
