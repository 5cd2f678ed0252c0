#!/usr/bin/env bash
# Builds the small Debian 12 cloud image that the real-VM test (tests/realvm/e2e.sh) boots with
# agsekit's QEMU backend: an ext4 file system that is the whole disk (no partition table),
# with the kernel and initrd beside it for direct kernel boot.
#
# Usage: tests/realvm/build-image.sh OUTDIR
#
# OUTDIR gets:
#   disk.qcow2   the root file system (ext4 on the whole disk, label agsekit-root)
#   vmlinuz      the kernel (Debian's cloud kernel)
#   initrd.img   its initramfs (only virtio_pci, virtio_blk and virtiofs: ext4 is built in)
#   cmdline      the kernel command line to boot it with
#   key          what the image was built from (sha256 of this script); a rebuild is skipped
#                when it matches
#
# The Debian archive and its security archive are read from this machine's apt sources
# (/etc/apt/sources.list and /etc/apt/sources.list.d/*.list|*.sources) at run time;
# REALVM_MIRROR and REALVM_SECURITY_MIRROR override them. Needs root, mmdebstrap,
# mkfs.ext4 (e2fsprogs) and qemu-img.
#
# The image carries, besides a cloud-init system, the packages agsekit's base provisioning
# (agent_scripts/base.sh) installs, so that provisioning finds them installed instead of
# spending minutes in apt under software emulation.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUTDIR=$1
SCRIPT_PATH=$(readlink -f "$0")
SUITE=bookworm

PACKAGES=(
    # boot and system
    linux-image-cloud-amd64 initramfs-tools systemd-sysv udev dbus e2fsprogs kmod
    iproute2 netbase procps less
    # the DNS servers the DHCP lease names (passt hands out the host's), as cloud images do
    systemd-resolved
    # first boot and access
    cloud-init openssh-server sudo ca-certificates
    # what agent_scripts/base.sh installs (BASE_PACKAGES)
    bubblewrap proxychains4 privoxy curl git logrotate gzip ripgrep zip unzip zstd zsh mc
    # base.sh looks for a `7z` command: Debian 12 has it in p7zip-full (its 7zip has `7zz`)
    p7zip-full
    # what the agent sessions use in the VM
    tmux
)

KEY=$(
    {
        sha256sum "$SCRIPT_PATH" | cut -d' ' -f1
        printf '%s\n' "${PACKAGES[@]}"
    } | sha256sum | cut -d' ' -f1
)

mkdir -p "$OUTDIR"
OUTDIR=$(readlink -f "$OUTDIR")
if [ -f "$OUTDIR/key" ] && [ "$(cat "$OUTDIR/key")" = "$KEY" ] &&
    [ -f "$OUTDIR/disk.qcow2" ] && [ -f "$OUTDIR/vmlinuz" ] && [ -f "$OUTDIR/initrd.img" ] &&
    [ -f "$OUTDIR/cmdline" ]; then
    echo "build-image: $OUTDIR is up to date (key $KEY)"
    exit 0
fi

# --- the archive, from this machine's apt configuration ---------------------------------
# Prints "URI SUITE..." for every enabled deb entry of one-line and deb822 sources files.
apt_entries() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [options] URI SUITE COMPONENTS...
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    n = split(uris, u, " ")
                    for (i = 1; i <= n; i++) print u[i], suites
                }
                types = ""; uris = ""; suites = ""; enabled = ""
            }
            /^[[:space:]]*#/ { next }
            /^[[:space:]]*$/ { flush(); next }
            {
                key = tolower($1); sub(/:$/, "", key)
                val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
                if (key == "types") types = val
                else if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "enabled") enabled = tolower(val)
            }
            END { flush() }
        ' "$f"
    done
}
MIRROR=${REALVM_MIRROR:-}
SECURITY_MIRROR=${REALVM_SECURITY_MIRROR:-}
while read -r uri suites; do
    for s in $suites; do
        case "$s" in
            *-security) [ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=$uri ;;
            *-updates | *-backports) ;;
            *) [ -n "$MIRROR" ] || MIRROR=$uri ;;
        esac
    done
done < <(apt_entries)
if [ -z "$MIRROR" ]; then
    echo "build-image: no Debian archive in /etc/apt/sources.list*; set REALVM_MIRROR" >&2
    exit 1
fi
MIRROR=${MIRROR%/}
SOURCES=("deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main")
if [ -n "$SECURITY_MIRROR" ]; then
    SOURCES+=("deb ${SECURITY_MIRROR%/} $SUITE-security main")
fi
echo "build-image: building $OUTDIR (key $KEY) from: ${SOURCES[*]}"

WORK=$(mktemp -d "$OUTDIR/.build.XXXXXX")
# The tree and the raw disk in memory when a tmpfs can be mounted (root, not in a locked-down
# container): dpkg's many small writes are faster there, and cleaning up is an unmount
# instead of deleting some twenty thousand files one by one.
IN_MEMORY=0
if mount -t tmpfs -o size=4G,mode=0700 agsekit-realvm-build "$WORK" 2>/dev/null; then
    IN_MEMORY=1
    echo "build-image: building in memory (tmpfs)"
fi
cleanup() {
    if [ "$IN_MEMORY" = 1 ]; then
        umount "$WORK" || umount -l "$WORK"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
ROOT=$WORK/root
HOOKS=$WORK/hooks
mkdir -p "$HOOKS"

# Runs before the packages are installed: the initramfs hook must be in place when the
# kernel's postinst builds the initrd.
cat >"$HOOKS/setup.sh" <<'EOF'
#!/bin/sh
set -eu
root=$1
mkdir -p "$root/etc/initramfs-tools/hooks"
cat >"$root/etc/initramfs-tools/hooks/agsekit-virtio" <<'HOOK'
#!/bin/sh
# agsekit's real-VM image: the root disk is virtio-blk, the project folders are virtiofs.
PREREQ=""
prereqs() { echo "$PREREQ"; }
case "${1:-}" in prereqs) prereqs; exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtiofs
force_load virtio_pci
force_load virtio_blk
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/agsekit-virtio"
# Only what the hook names (ext4 is built into the cloud kernel): a small initrd unpacks
# faster under emulation.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/agsekit-realvm"
# Modules udev would load for the emulated CPU's features that a test VM has no use for:
# kvm alone costs seconds at boot under emulation.
mkdir -p "$root/etc/modprobe.d"
for m in kvm kvm_amd kvm_intel powernow_k8 acpi_cpufreq pcspkr; do
    echo "blacklist $m"
done >"$root/etc/modprobe.d/agsekit-realvm.conf"
EOF

# Runs after all packages are installed.
cat >"$HOOKS/customize.sh" <<'EOF'
#!/bin/sh
set -eu
root=$1
echo agsekit-realvm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
# One NIC, configured by DHCP (passt's, or QEMU's built-in server); the DNS servers come from
# the lease through systemd-resolved, as on a cloud image, not from a fixed file: passt hands
# out the host's servers, QEMU's user-mode network its own forwarder.
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/20-wired.network"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
chroot "$root" systemctl enable systemd-networkd.service systemd-resolved.service
# Only the NoCloud seed; the network is configured above. Skip RSA host keys (slow to make
# under emulation).
mkdir -p "$root/etc/cloud/cloud.cfg.d"
cat >"$root/etc/cloud/cloud.cfg.d/90-agsekit-realvm.cfg" <<'CFG'
datasource_list: [NoCloud, None]
network: {config: disabled}
ssh_genkeytypes: [ed25519, ecdsa]
# Debian's lists minus what this image has no use for and what costs seconds under emulation
# (locale fails without the locales package, grub_dpkg has no grub, keys_to_console).
cloud_init_modules: [seed_random, bootcmd, write_files, growpart, resizefs, disk_setup, mounts,
  set_hostname, update_hostname, update_etc_hosts, ca_certs, users_groups, ssh]
cloud_config_modules: [apt_configure, timezone, runcmd, set_passwords]
cloud_final_modules: [package_update_upgrade_install, write_files_deferred, scripts_vendor,
  scripts_per_once, scripts_per_boot, scripts_per_instance, scripts_user,
  ssh_authkey_fingerprints, final_message, power_state_change]
CFG
# Nothing periodic or slow at boot that a short-lived test VM does not need.
for unit in e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer \
    fstrim.timer dpkg-db-backup.timer privoxy-cleanup.timer; do
    chroot "$root" systemctl mask "$unit" >/dev/null 2>&1 || true
done
# Every VM made from the image gets its own identity.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
# privoxy is provisioned for the launcher's proxy modes, which start their own; no daemon.
chroot "$root" systemctl disable privoxy.service >/dev/null 2>&1 || true
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
EOF
chmod 0755 "$HOOKS/setup.sh" "$HOOKS/customize.sh"

INCLUDE=$(
    IFS=,
    echo "${PACKAGES[*]}"
)
t0=$(date +%s)
mmdebstrap --mode=root --variant=minbase --include="$INCLUDE" \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --setup-hook="$HOOKS/setup.sh \"\$1\"" \
    --customize-hook="$HOOKS/customize.sh \"\$1\"" \
    "$SUITE" "$ROOT" "${SOURCES[@]}"
t1=$(date +%s)
echo "build-image: mmdebstrap took $((t1 - t0)) s"

vmlinuz=$(find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n1)
initrd=$(find "$ROOT/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n1)
if [ -z "$vmlinuz" ] || [ -z "$initrd" ]; then
    echo "build-image: no kernel or initrd in $ROOT/boot" >&2
    exit 1
fi
cp "$vmlinuz" "$WORK/vmlinuz"
cp "$initrd" "$WORK/initrd.img"

# The file system: what the tree uses plus room for provisioning and the agent; a VM's
# overlay may be larger (cloud-init grows the file system to the disk on first boot).
used_mb=$(du -sm "$ROOT" | cut -f1)
size_mb=$((used_mb + 1024))
mkfs.ext4 -q -F -L agsekit-root -d "$ROOT" "$WORK/disk.raw" "${size_mb}M"
qemu-img convert -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"
rm -f "$WORK/disk.raw"
printf 'root=/dev/vda rw console=ttyS0\n' >"$WORK/cmdline"
t2=$(date +%s)
echo "build-image: file system and qcow2 took $((t2 - t1)) s (tree ${used_mb} MB, disk ${size_mb} MB)"

for f in disk.qcow2 vmlinuz initrd.img cmdline; do
    mv -f "$WORK/$f" "$OUTDIR/$f"
done
echo "$KEY" >"$OUTDIR/key"
echo "build-image: done in $((t2 - t0)) s: $OUTDIR"
