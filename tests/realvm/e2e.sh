#!/usr/bin/env bash
# The real-VM test: drives the real `agsekit` binary with `backend: qemu` against a real VM
# booted (under software emulation when KVM is not usable) from the image that
# tests/realvm/build-image.sh makes. Nothing here is faked except the agent: a small script
# installed in the VM as `codex` (tests/realvm/fake-codex).
#
# Usage: tests/realvm/e2e.sh IMAGE_DIR [AGSEKIT_BINARY]
#   IMAGE_DIR       holds disk.qcow2, vmlinuz, initrd.img and cmdline
#   AGSEKIT_BINARY  default: target/debug/agsekit
# Environment: E2E_KEEP=1 keeps the work folder (and a failed VM's logs) for a look.
#
# Every step asserts what it checks and prints its time; the summary at the end lists them.
# Needs: qemu-system-x86_64, qemu-img, virtiofsd, ssh, tmux, python3 (JSON checks).
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
    echo "usage: $0 IMAGE_DIR [AGSEKIT_BINARY]" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=$(readlink -f "$1")
AGSEKIT=$(readlink -f "${2:-$HERE/../../target/debug/agsekit}")
for f in disk.qcow2 vmlinuz initrd.img cmdline; do
    [ -f "$IMAGE/$f" ] || {
        echo "e2e: $IMAGE/$f is missing (build it: tests/realvm/build-image.sh $IMAGE)" >&2
        exit 2
    }
done
[ -x "$AGSEKIT" ] || {
    echo "e2e: no agsekit binary at $AGSEKIT (cargo build)" >&2
    exit 2
}

VM=rvm
WORK=$(mktemp -d /tmp/agsekit-e2e.XXXXXX)
chmod 0755 "$WORK"
export HOME=$WORK/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
export XDG_CACHE_HOME=$HOME/.cache XDG_STATE_HOME=$HOME/.local/state
export AGSEKIT_LANG=en LC_ALL=C.UTF-8
unset CONFIG_PATH AGSEKIT_SHIMS_DIR AGSEKIT_QEMU_HOME TMUX
SHIMS=$XDG_DATA_HOME/agsekit/shims
STATE=$XDG_DATA_HOME/agsekit/qemu/vms/$VM
CODE=$HOME/code
PROJ=$CODE/proj
PROJ2=$CODE/.proj2
LOGS=$WORK/logs
mkdir -p "$HOME" "$CODE" "$LOGS" "$XDG_CONFIG_HOME/agsekit"
CONFIG=$XDG_CONFIG_HOME/agsekit/config.yaml
TMUX_SOCK=$WORK/tmux.sock

# The guest user has the host user's uid, except that root becomes 1000; files the agent
# writes land on the host with the guest user's uid (virtiofsd keeps the caller's ids).
HOST_UID=$(id -u)
if [ "$HOST_UID" = 0 ]; then GUEST_UID=1000; else GUEST_UID=$HOST_UID; fi

# --- reporting ------------------------------------------------------------------------------
T_START=$(date +%s.%N)
STEP=setup
STEP_T0=$T_START
SUMMARY=()
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() {
    STEP=$1
    STEP_T0=$(now)
    echo "== $STEP"
}
pass() {
    local t
    t=$(elapsed "$STEP_T0")
    printf '   PASS %s (%s s)\n' "$STEP" "$t"
    SUMMARY+=("$(printf '%7s s  %s' "$t" "$STEP")")
}
skip() {
    printf '   SKIP %s: %s\n' "$STEP" "$1"
    SUMMARY+=("$(printf '%9s  %s (%s)' SKIP "$STEP" "$1")")
}
diagnostics() {
    echo "---- diagnostics"
    local f
    for f in "$LOGS"/last.out "$LOGS"/last.err; do
        [ -s "$f" ] && { echo "-- $f"; tail -n 40 "$f"; }
    done
    if [ -d "$STATE" ]; then
        ls -la "$STATE" || true
        for f in "$STATE"/*.log; do
            [ -f "$f" ] && { echo "-- $f"; tail -n 30 "$f"; }
        done
    fi
}
fail() {
    echo "   FAIL $STEP: $*" >&2
    diagnostics >&2
    exit 1
}

# --- running agsekit ------------------------------------------------------------------------
# run CMD...: runs a command, keeps its output in $LOGS/last.{out,err} and its status in RC.
run() {
    set +e
    "$@" >"$LOGS/last.out" 2>"$LOGS/last.err"
    RC=$?
    set -e
    cat "$LOGS/last.out" "$LOGS/last.err" >>"$LOGS/all.log"
}
ag() { run "$AGSEKIT" --non-interactive "$@"; }
expect_rc() {
    [ "$RC" = "$1" ] || fail "exit code $RC, expected $1 ($2)"
}
out_has() {
    grep -qF -- "$1" "$LOGS/last.out" || fail "stdout lacks '$1' ($2)"
}
err_has() {
    grep -qF -- "$1" "$LOGS/last.err" || fail "stderr lacks '$1' ($2)"
}
# json FILE EXPR: prints a Python expression over the document `d`.
json() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list)) or v is None or isinstance(v, bool) else v)' "$1" "$2"
}
snapshot_count() {
    "$AGSEKIT" --non-interactive snapshots "$1" --json >"$LOGS/snaps.json"
    json "$LOGS/snaps.json" 'len(d["snapshots"])'
}
# vm CMD: a shell command line in the VM, through agsekit's own ssh.
vm() { run "$AGSEKIT" --non-interactive ssh "$VM" -- "$1" </dev/null; }
# shim ARGS...: `codex` through the shim, in the current folder.
shim() { run env PATH="$SHIMS:$PATH" codex "$@"; }
owner_of() { stat -c %u "$1"; }

cleanup() {
    local rc=$?
    set +e
    tmux -S "$TMUX_SOCK" kill-server >/dev/null 2>&1
    if [ -d "$STATE" ]; then
        echo "== cleanup: destroying $VM"
        "$AGSEKIT" --non-interactive destroy-vm "$VM" -y >/dev/null 2>&1
    fi
    # Anything still running from this test's folder (QEMU, virtiofsd, ssh masters) is ours.
    local pids
    pids=$(pgrep -f -- "$WORK" || true)
    if [ -n "$pids" ]; then
        echo "== cleanup: killing leftovers: $pids"
        # shellcheck disable=SC2086 # a list of pids
        kill $pids 2>/dev/null
        sleep 1
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null
    fi
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "== kept $WORK"
    else
        rm -rf "$WORK"
    fi
    echo "== total $(elapsed "$T_START") s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the project folders and the config -----------------------------------------------------
step "config and project folders"
mkdir -p "$PROJ/src" "$PROJ2"
echo "from the host" >"$PROJ/host.txt"
echo "alpha" >"$PROJ/src/a.txt"
echo "beta" >"$PROJ/src/b.txt"
echo "hidden project" >"$PROJ2/notes.txt"
if [ "$HOST_UID" = 0 ]; then
    # Host root runs the VM as uid 1000: that user must be able to write the projects.
    chown -R 1000:1000 "$PROJ" "$PROJ2"
fi
cat >"$CONFIG" <<EOF
global:
  backend: qemu
vms:
  $VM:
    cpu: 1
    ram: 1G
    disk: 4G
    image:
      disk: $IMAGE/disk.qcow2
      kernel: $IMAGE/vmlinuz
      initrd: $IMAGE/initrd.img
      cmdline: "$(cat "$IMAGE/cmdline")"
mounts:
  - source: $PROJ
    vm: $VM
    interval: 1
  - source: $PROJ2
    vm: $VM
    interval: 1
agents:
  codex:
    type: codex
    vm: $VM
EOF
ag config-check
expect_rc 0 "config-check of the qemu config: $(cat "$LOGS/last.err")"
pass

step "create-vm (boot, cloud-init user, base.sh, launcher)"
# Its progress lines with the time they came (the phases of a first boot).
set +e
"$AGSEKIT" --non-interactive create-vm "$VM" 2>&1 >"$LOGS/last.out" |
    while IFS= read -r line; do printf '   %s +%ss %s\n' "$(date +%T)" "$(elapsed "$STEP_T0")" "$line"; done |
    tee "$LOGS/last.err"
RC=${PIPESTATUS[0]}
set -e
expect_rc 0 "create-vm"
grep -qi "base" "$LOGS/last.out" "$LOGS/last.err" || fail "create-vm said nothing about base.sh"
[ -f "$STATE/qemu.pid" ] || fail "no $STATE/qemu.pid"
kill -0 "$(cat "$STATE/qemu.pid")" 2>/dev/null || fail "QEMU is not running"
pass

step "guest user, cloud-init, provisioning"
# shellcheck disable=SC2016 # expanded in the VM
vm 'id -u; id -g; cat /run/cloud-init/result.json; sudo -n true && echo sudo-ok; command -v agsekit-launch; dpkg-query -W -f="\${Status}\n" bubblewrap'
expect_rc 0 "ssh into the VM"
[ "$(sed -n 1p "$LOGS/last.out")" = "$GUEST_UID" ] || fail "guest uid $(sed -n 1p "$LOGS/last.out"), expected $GUEST_UID"
out_has '"errors": []' "cloud-init finished without errors"
out_has "sudo-ok" "passwordless sudo"
out_has "/usr/local/bin/agsekit-launch" "the launcher is installed"
out_has "install ok installed" "base.sh's packages"
pass

step "the guest's DNS servers are the ones its DHCP lease gave"
# The image takes DNS from DHCP (systemd-networkd + systemd-resolved), as cloud images do.
# passt hands out the host's servers (src/vm/qemu/net.rs guest_dns: /etc/resolv.conf's, or
# systemd-resolved's own list behind a loopback stub; never loopback or link-local ones);
# QEMU's user-mode network hands out its forwarder 10.0.2.3.
usable_servers() {
    awk '$1 == "nameserver" { sub(/%.*/, "", $2); print $2 }' "$1" 2>/dev/null |
        grep -vE '^(127\.|::1$|169\.254\.|fe80:)' | head -n3 || true
}
if [ -s "$STATE/passt.pid" ]; then
    want=$(usable_servers /etc/resolv.conf)
    [ -n "$want" ] || want=$(usable_servers /run/systemd/resolve/resolv.conf)
else
    want=10.0.2.3
fi
if [ -z "$want" ]; then
    skip "the host knows no DNS server passt could hand out"
else
    # shellcheck disable=SC2016 # expanded in the VM
    vm 'readlink /etc/resolv.conf; echo "== upstream"; awk "\$1 == \"nameserver\" { print \$2 }" /run/systemd/resolve/resolv.conf'
    expect_rc 0 "read the guest's resolver files"
    out_has "stub-resolv.conf" "the guest's /etc/resolv.conf is systemd-resolved's stub"
    got=$(sed -n '/^== upstream$/,$p' "$LOGS/last.out" | sed 1d)
    [ "$got" = "$want" ] || fail "the guest asks '${got//$'\n'/ }', DHCP should have given '${want//$'\n'/ }'"
    # A name the host resolves, the guest resolves too (through the servers it was given).
    if name_addr=$(getent hosts deb.debian.org); then
        vm 'getent hosts deb.debian.org'
        expect_rc 0 "the guest resolves deb.debian.org (the host does: $name_addr)"
        echo "   guest DNS: ${got//$'\n'/ } (from DHCP); deb.debian.org -> $(awk '{ print $1; exit }' "$LOGS/last.out")"
    else
        echo "   guest DNS: ${got//$'\n'/ } (from DHCP); the host resolves no test name, lookup not tried"
    fi
    pass
fi

step "install the stand-in agent as codex in the VM"
run "$AGSEKIT" --non-interactive ssh "$VM" -- 'sudo tee /usr/local/bin/codex >/dev/null && sudo chmod 0755 /usr/local/bin/codex' <"$HERE/fake-codex"
expect_rc 0 "copy the fake codex"
vm 'codex --version'
out_has "codex-fake" "the fake codex runs"
pass

step "shims install"
ag shims install
expect_rc 0 "shims install"
[ -L "$SHIMS/codex" ] || fail "no codex shim in $SHIMS"
pass

step "codex through the shim: sees the mount, writes a file owned by the user"
[ "$(snapshot_count "$PROJ")" = 0 ] || fail "snapshots before the first session"
cd "$PROJ"
shim whoami
expect_rc 0 "codex whoami"
out_has "pwd=/home/ubuntu/proj" "the agent runs at the mount target"
out_has "uid=$GUEST_UID" "the agent runs as the guest user"
out_has "host.txt" "the agent sees the host's files"
[ "$(snapshot_count "$PROJ")" -ge 1 ] || fail "no snapshot before the first session"
shim write agent.txt "written in the VM"
expect_rc 0 "codex write"
[ "$(cat "$PROJ/agent.txt")" = "written in the VM" ] || fail "agent.txt on the host: $(cat "$PROJ/agent.txt" 2>&1)"
[ "$(owner_of "$PROJ/agent.txt")" = "$GUEST_UID" ] || fail "agent.txt is owned by $(owner_of "$PROJ/agent.txt"), expected $GUEST_UID"
err_has "1 added" "the review counts the new file"
pass

step "hidden project folder .proj2"
cd "$PROJ2"
shim whoami
expect_rc 0 "codex in .proj2"
out_has "pwd=/home/ubuntu/.proj2" "the hidden folder is mounted at its target"
out_has "notes.txt" "the agent sees the hidden folder's files"
pass

step "an agent starts in .proj2 and waits"
# The background loop's first snapshot comes one interval (1 minute) after a session starts
# (sooner with no snapshot yet): this session waits in .proj2 while the steps below run in
# the other project, and its snapshot is checked after them.
before2=$(snapshot_count "$PROJ2")
echo "changed on the host" >"$PROJ2/notes.txt"
(cd "$PROJ2" && exec "$AGSEKIT" --non-interactive run --no-first-backup codex wait-for .release) \
    >"$LOGS/during.out" 2>"$LOGS/during.err" &
during_pid=$!
deadline=$(($(date +%s) + 120))
until grep -q 'starting agent' "$LOGS/during.err" 2>/dev/null; do
    kill -0 "$during_pid" 2>/dev/null || fail "the session ended at once: $(cat "$LOGS/during.err")"
    [ "$(date +%s)" -lt "$deadline" ] || fail "the session did not start within 120 s"
    sleep 1
done
pass

step "the agent's exit code passes through"
cd "$PROJ"
shim exit 7
expect_rc 7 "codex exit 7"
pass

step "the agent deletes files: review, then restore"
shim delete src/a.txt src/b.txt
expect_rc 0 "codex delete"
[ ! -e "$PROJ/src/a.txt" ] || fail "src/a.txt still exists"
err_has "2 deleted" "the review counts the deletions"
snap=$(grep -oE 'compared with snapshot [0-9]{8}-[0-9]{6}' "$LOGS/last.err" | grep -oE '[0-9]{8}-[0-9]{6}' | head -n1)
[ -n "$snap" ] || fail "the review names no snapshot"
ag restore --mount "$PROJ" "$snap" src
expect_rc 0 "restore $snap src"
if [ "$(cat "$PROJ/src/a.txt" 2>&1)" != alpha ] || [ "$(cat "$PROJ/src/b.txt" 2>&1)" != beta ]; then
    fail "src/a.txt and src/b.txt did not come back"
fi
pass

step "status and status --json while an agent runs"
ag status
expect_rc 0 "status"
out_has "$VM" "status names the VM"
ag status --json
expect_rc 0 "status --json"
cp "$LOGS/last.out" "$LOGS/status.json"
[ "$(json "$LOGS/status.json" 'd["backend"]["name"]')" = qemu ] || fail "backend is not qemu"
[ "$(json "$LOGS/status.json" 'd["vms"][0]["state"]')" = running ] || fail "VM state is not running"
[ "$(json "$LOGS/status.json" 'd["vms"][0]["cpus"]["actual"]')" = 1 ] || fail "actual CPUs are not 1"
mem=$(json "$LOGS/status.json" 'd["vms"][0]["memory"]["actual_bytes"] or 0')
[ "$mem" -gt 500000000 ] || fail "actual memory $mem"
used=$(json "$LOGS/status.json" 'd["vms"][0]["disk"]["used_bytes"] or 0')
[ "$used" -gt 0 ] || fail "disk used $used"
[ "$(json "$LOGS/status.json" '[m["mounted"] for m in d["mounts"]]')" = "[true, true]" ] ||
    fail "mounts: $(json "$LOGS/status.json" 'd["mounts"]')"
[ "$(json "$LOGS/status.json" '[a["folder"] for a in d["agents"] if a["binary"] == "codex"]')" = '["/home/ubuntu/.proj2"]' ] ||
    fail "status does not show the running agent: $(json "$LOGS/status.json" 'd["agents"]')"
echo "   status: running, 1 CPU, memory ${mem} B, disk used ${used} B, both mounted, agent codex in /home/ubuntu/.proj2"
pass

step "the agent cannot reach the host's loopback"
# A web server on the host's 127.0.0.1 only, holding a secret. QEMU's user-mode network would
# hand it to the VM at 10.0.2.2; with passt (--no-map-gw) neither that address nor the
# guest's gateway reaches it (docs/threat-model.md).
mkdir -p "$WORK/loopback"
echo "loopback-secret-$$" >"$WORK/loopback/secret.txt"
lport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/loopback" "$lport" >"$LOGS/http.log" 2>&1 &
http_pid=$!
deadline=$(($(date +%s) + 20))
until python3 -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$lport/secret.txt').read().decode())" 2>/dev/null | grep -q loopback-secret; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the host's test server did not start"
    sleep 0.5
done
passt_pid=$(cat "$STATE/passt.pid" 2>/dev/null || true)
if [ -z "$passt_pid" ] || ! kill -0 "$passt_pid" 2>/dev/null; then
    fail "no passt runs for the VM (is passt installed?)"
fi
# shellcheck disable=SC2016 # expanded in the VM
vm 'gw=$(ip -4 route | awk "/^default/ { print \$3; exit }"); for h in 10.0.2.2 "$gw"; do echo "== $h"; timeout 5 bash -c "exec 3<>/dev/tcp/$h/'"$lport"' && printf "GET /secret.txt HTTP/1.0

" >&3 && cat <&3" 2>&1; done; echo done'
kill "$http_pid" 2>/dev/null || true
out_has "== 10.0.2.2" "the probe ran"
out_has "done" "the probe finished"
if grep -q "loopback-secret" "$LOGS/last.out"; then
    fail "the VM read a file from a server on the host's loopback: $(cat "$LOGS/last.out")"
fi
pass

step "shim overhead: codex --version through the shim vs ssh on the control connection"
cd "$PROJ"
t0=$(now)
for _ in 1 2 3; do shim --version; done
expect_rc 0 "codex --version"
out_has "codex-fake" "codex --version through the shim"
t_shim=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 3 }')
t_ssh=n/a
if [ -S "$STATE/ssh.sock" ]; then
    t0=$(now)
    for _ in 1 2 3; do
        ssh -o ControlPath="$STATE/ssh.sock" -o ControlMaster=no -o BatchMode=yes \
            ubuntu@127.0.0.1 codex --version >/dev/null </dev/null
    done
    t_ssh=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 3 }')
fi
echo "   codex --version: ${t_shim} s through the shim, ${t_ssh} s over ssh on the control connection"
# Where the difference goes: the VM-side launcher alone (same connection, same arguments as a
# session sends), agsekit's host side without the snapshot loop, and the programs one shim run
# starts (strace, when installed).
if [ -S "$STATE/ssh.sock" ]; then
    b64() { printf '%s' "$1" | base64 -w0; }
    t0=$(now)
    for _ in 1 2 3; do
        ssh -o ControlPath="$STATE/ssh.sock" -o ControlMaster=no -o BatchMode=yes ubuntu@127.0.0.1 \
            /usr/local/bin/agsekit-launch --min-version 3 --session e2e-probe --mount-root /home/ubuntu/proj \
            --b64 --workdir "$(b64 /home/ubuntu/proj)" --binary codex -- "$(b64 codex)" "$(b64 --version)" \
            >/dev/null </dev/null
    done
    t_launch=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 3 }')
    t0=$(now)
    for _ in 1 2 3; do run "$AGSEKIT" --non-interactive run --no-first-backup --disable-backups codex --version; done
    expect_rc 0 "agsekit run --disable-backups codex --version"
    t_nobackup=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 3 }')
    echo "   the launcher alone over ssh: ${t_launch} s; agsekit run --disable-backups: ${t_nobackup} s"
fi
if command -v strace >/dev/null 2>&1; then
    # Successful execve calls only (-z): a PATH search also shows each failed attempt.
    run env PATH="$SHIMS:$PATH" strace -f -z -qq -e trace=execve -e signal=none -o "$LOGS/shim.strace" codex --version
    expect_rc 0 "codex --version under strace"
    ssh_runs=$(grep -c 'execve("[^"]*/ssh"' "$LOGS/shim.strace" || true)
    programs=$(grep -o 'execve("[^"]*"' "$LOGS/shim.strace" | sed 's/execve("//; s/"$//' | xargs -n1 basename | sort | uniq -c | tr -s ' ' | tr '\n' ',')
    echo "   one shim run starts ssh ${ssh_runs} time(s); programs: ${programs}"
fi
pass

step "Ctrl-C in tmux stops the agent"
cat >"$WORK/ctrlc.sh" <<EOF
#!/usr/bin/env bash
export HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_DATA_HOME='$XDG_DATA_HOME'
export XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_STATE_HOME='$XDG_STATE_HOME' AGSEKIT_LANG=en
export PATH='$SHIMS':"\$PATH"
cd '$PROJ' || exit 99
codex sleep 600
echo "\$?" >'$WORK/ctrlc.rc'
EOF
chmod +x "$WORK/ctrlc.sh"
rm -f "$PROJ/.agent-sleeping"
tmux -S "$TMUX_SOCK" new-session -d -s e2e -x 120 -y 30 "$WORK/ctrlc.sh"
deadline=$(($(date +%s) + 120))
until [ -e "$PROJ/.agent-sleeping" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the agent did not start in tmux: $(tmux -S "$TMUX_SOCK" capture-pane -p -t e2e 2>&1)"
    sleep 1
done
sleep 1
tmux -S "$TMUX_SOCK" send-keys -t e2e C-c
deadline=$(($(date +%s) + 60))
until [ -s "$WORK/ctrlc.rc" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "Ctrl-C did not end the session: $(tmux -S "$TMUX_SOCK" capture-pane -p -t e2e 2>&1)"
    sleep 1
done
[ "$(cat "$WORK/ctrlc.rc")" = 130 ] || fail "the session ended with $(cat "$WORK/ctrlc.rc"), expected 130"
vm 'pgrep -f "^sleep 600\$" || echo none'
out_has "none" "the agent's process is gone from the VM"
rm -f "$PROJ/.agent-sleeping"
pass

step "a snapshot while the agent in .proj2 runs"
deadline=$(($(date +%s) + 150))
while [ "$(snapshot_count "$PROJ2")" -le "$before2" ]; do
    kill -0 "$during_pid" 2>/dev/null || fail "the session ended before a snapshot: $(cat "$LOGS/during.err")"
    [ "$(date +%s)" -lt "$deadline" ] || fail "no snapshot during the session within 150 s"
    sleep 2
done
kill -0 "$during_pid" 2>/dev/null || fail "the session ended before the check"
# The loop has written its pid with that snapshot: status sees it now.
ag status --json
[ "$(json "$LOGS/last.out" 'd["mounts"][1]["backup"]["loop_running"]')" = true ] ||
    fail "status does not see the session's backup loop: $(json "$LOGS/last.out" 'd["mounts"][1]["backup"]')"
touch "$PROJ2/.release"
set +e
wait "$during_pid"
during_rc=$?
set -e
[ "$during_rc" = 0 ] || fail "the waiting session exited $during_rc: $(cat "$LOGS/during.err")"
rm -f "$PROJ2/.release"
pass

# stop-vm and start-vm keeping the mount, with no process of the VM left while it is
# stopped, are the backend-neutral scenarios' (tests/it/neutral.rs, real_qemu), which
# .ci/realvm runs after this script on a VM of their own: not repeated here (a boot costs a
# minute under emulation).

step "suspend-vm, resume-vm: the VM keeps its memory and a session works after"
qemu_pid=$(cat "$STATE/qemu.pid")
t0=$(now)
ag suspend-vm "$VM"
expect_rc 0 "suspend-vm"
out_has "VM $VM: suspended" "suspend-vm's result"
echo "   suspend-vm: $(elapsed "$t0") s"
ag status --json
[ "$(json "$LOGS/last.out" 'd["vms"][0]["state"]')" = suspended ] || fail "state after suspend-vm: $(json "$LOGS/last.out" 'd["vms"][0]["state"]')"
if [ "$(cat "$STATE/qemu.pid")" != "$qemu_pid" ] || ! kill -0 "$qemu_pid" 2>/dev/null; then
    fail "QEMU did not stay (suspended, not stopped)"
fi
sleep 5
t0=$(now)
ag resume-vm "$VM"
expect_rc 0 "resume-vm"
out_has "VM $VM: resumed" "resume-vm's result"
echo "   resume-vm (with the guest clock set): $(elapsed "$t0") s"
[ "$(cat "$STATE/qemu.pid")" = "$qemu_pid" ] || fail "resume-vm booted a new QEMU instead of resuming"
vm 'date +%s'
expect_rc 0 "the guest clock"
skew=$(( $(date +%s) - $(tr -d '[:space:]' <"$LOGS/last.out") ))
# The clock is set over ssh to the host's time when the command is sent: it lags by that
# command's latency (seconds under a loaded emulation), not by the suspend's length.
[ "${skew#-}" -le 10 ] || fail "the guest clock is ${skew} s off after resume-vm"
cd "$PROJ"
t0=$(now)
shim whoami
expect_rc 0 "codex after resume-vm"
out_has "pwd=/home/ubuntu/proj" "the mount works after resume-vm"
out_has "agent.txt" "the project's files after resume-vm"
echo "   guest clock off by ${skew} s; a session after resume-vm: $(elapsed "$t0") s"
pass

step "a session resumes a suspended VM by itself"
ag suspend-vm "$VM"
expect_rc 0 "suspend-vm"
cd "$PROJ2"
t0=$(now)
shim whoami
expect_rc 0 "codex on a suspended VM"
out_has "pwd=/home/ubuntu/.proj2" "the hidden project after the session resumed the VM"
echo "   a session on the suspended VM (resume included): $(elapsed "$t0") s"
ag status --json
[ "$(json "$LOGS/last.out" 'd["vms"][0]["state"]')" = running ] || fail "state after the session: $(json "$LOGS/last.out" 'd["vms"][0]["state"]')"
[ "$(cat "$STATE/qemu.pid")" = "$qemu_pid" ] || fail "the session booted a new QEMU instead of resuming"
pass

step "the daemon suspends the idle VM (global.daemon.idle_vm_action: suspend)"
# The daemon's idle rule counts whole minutes from when it first sees the VM: this step
# waits about a minute with nothing running in the VM, so it runs only when asked
# (E2E_IDLE_SUSPEND=1); .ci/realvm leaves it out to stay within its time.
if [ "${E2E_IDLE_SUSPEND:-0}" != 1 ]; then
    skip "costs a minute; E2E_IDLE_SUSPEND=1 runs it"
else
    cp "$CONFIG" "$WORK/config.before-daemon"
    sed -i 's/^  backend: qemu$/  backend: qemu\n  daemon:\n    idle_vm_stop_minutes: 1\n    idle_vm_action: suspend/' "$CONFIG"
    grep -q 'idle_vm_action: suspend' "$CONFIG" || fail "the daemon settings did not go into the config"
    ag config-check
    expect_rc 0 "config-check with idle_vm_action: suspend: $(cat "$LOGS/last.err")"
    AGSEKIT_DAEMON_TICK_SEC=2 "$AGSEKIT" --non-interactive daemon run >"$LOGS/daemon.log" 2>&1 &
    daemon_pid=$!
    t0=$(now)
    deadline=$(($(date +%s) + 180))
    while :; do
        ag status --json
        [ "$(json "$LOGS/last.out" 'd["vms"][0]["state"]')" = suspended ] && break
        kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited: $(cat "$LOGS/daemon.log")"
        [ "$(date +%s)" -lt "$deadline" ] || fail "the daemon did not suspend the idle VM within 180 s: $(cat "$LOGS/daemon.log")"
        sleep 2
    done
    echo "   suspended by the daemon $(elapsed "$t0") s after it started"
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    cp "$WORK/config.before-daemon" "$CONFIG"
    grep -q "suspended VM $VM: no agent for 1 min" "$LOGS/daemon.log" ||
        fail "the daemon's log does not say it suspended the VM: $(cat "$LOGS/daemon.log")"
    if [ "$(cat "$STATE/qemu.pid")" != "$qemu_pid" ] || ! kill -0 "$qemu_pid" 2>/dev/null; then
        fail "QEMU did not stay (suspended, not stopped)"
    fi
    cd "$PROJ"
    t0=$(now)
    shim whoami
    expect_rc 0 "codex after the daemon's suspend"
    out_has "pwd=/home/ubuntu/proj" "the session after the daemon's suspend"
    echo "   a session on the VM the daemon suspended (resume included): $(elapsed "$t0") s"
    pass
fi

step "destroy-vm leaves nothing behind"
tmux -S "$TMUX_SOCK" kill-server >/dev/null 2>&1 || true
[ -d "$STATE" ] || fail "no state folder $STATE before destroy-vm"
ag destroy-vm "$VM" -y
expect_rc 0 "destroy-vm"
[ ! -e "$STATE" ] || fail "$STATE still exists: $(ls -la "$STATE")"
left=$(pgrep -af -- "$WORK" || true)
[ -z "$left" ] || fail "processes left: $left"
ag status --json
[ "$(json "$LOGS/last.out" 'd["vms"][0]["state"]')" = absent ] || fail "state after destroy-vm: $(json "$LOGS/last.out" 'd["vms"][0]["state"]')"
pass

echo "== summary (real VM, backend qemu)"
printf '%s\n' "${SUMMARY[@]}"
printf '%7s s  total\n' "$(elapsed "$T_START")"
