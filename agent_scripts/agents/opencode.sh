#!/usr/bin/env bash
# Installs OpenCode (npm package opencode-ai, binary `opencode`) inside the VM, with Node.js from nvm
# (installed first when missing, unless --skip-nvm-install). The host sends this file on stdin:
#   multipass exec VM --working-directory /home/ubuntu -- bash -s -- [FLAGS]
# Flags: --version V|stable|latest (default latest; stable = 1.14.50), --force,
#        --proxychains URL (network steps only), --skip-nvm-install.
# Last stdout line: AGSEKIT-RESULT opencode installed|already|failed VERSION
# The whole script is one { } group: bash reads all of it from stdin before running any of
# it, so a command that reads stdin cannot swallow the rest of the script.
# shellcheck disable=SC2317 # some helpers of the shared block are unused here
{
set -euo pipefail
NAME=opencode
USAGE='opencode.sh [--version V|stable|latest] [--force] [--proxychains URL] [--skip-nvm-install]'
ACCEPTS='version force proxychains skip-nvm-install'
STABLE_VERSION=1.14.50

# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)

npm_agent opencode-ai opencode "$@"
}
