#!/usr/bin/env bash
# The release profile, before and after (docs/performance.md, Release build): builds agsekit
# with the old profile (thin LTO, 4 codegen units, debuginfo stripped: cargo's default) into
# target/bench-old-profile and with the profile in Cargo.toml (fat LTO, one codegen unit,
# symbols stripped) into target/release, then prints both binaries' sizes and times
# `agsekit version` and `agsekit prompt-state` of both side by side with hyperfine, in one run.
# A benchmark, not a test: nothing asserts the numbers.
#
#   benches/release-profile.sh [--no-build]     (--no-build: measure the binaries already built)
#
# Needs hyperfine (Debian: apt-get install hyperfine). Two release builds: ~10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || { echo "release-profile: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
old_dir=target/bench-old-profile
if [ "${1:-}" != "--no-build" ]; then
    # The profile as it was, by environment overrides of [profile.release] (Cargo.toml unchanged).
    CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=4 \
        CARGO_PROFILE_RELEASE_STRIP=debuginfo \
        cargo build --release --locked --bin agsekit --target-dir "$old_dir"
    cargo build --release --locked --bin agsekit
fi
old=$old_dir/release/agsekit
new=target/release/agsekit

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/project"
# prompt-state reads the config and looks the current folder up in it: give it the example
# config with the project folder as a mount, as a shell prompt would see it.
HOME=$work/home "$new" config-example >/dev/null
HOME=$work/home "$new" addmount "$work/project" -y >/dev/null

echo "== binary size"
printf '%-34s %12s\n' "old (thin LTO, 4 units, debuginfo stripped)" "$(stat -c %s "$old") bytes"
printf '%-34s %12s\n' "new (fat LTO, 1 unit, symbols stripped)" "$(stat -c %s "$new") bytes"

echo "== start time (hyperfine -N; 5 rounds alternating old and new, 60 runs each per round)"
cd "$work/project"
export HOME=$work/home LANG=C.UTF-8 NO_COLOR=1
# Rounds, so that a shared machine's load drifting over time hits both binaries alike; the
# median and the minimum of all runs are what to compare (the mean follows the noise).
for round in 1 2 3 4 5; do
    for cmd in version prompt-state; do
        hyperfine -N --style none --warmup 10 --runs 60 --export-json "$work/$cmd-$round.json" \
            -n "old $cmd" "$OLDPWD/$old $cmd" -n "new $cmd" "$OLDPWD/$new $cmd" >/dev/null 2>>"$work/hyperfine.log"
    done
done
python3 - "$work" <<'EOF'
import glob, json, os, statistics, sys
runs = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    for result in json.load(open(path))["results"]:
        runs.setdefault(result["command"], []).extend(result["times"])
ms = lambda v: f"{v * 1000:.2f} ms"
print(f"{'':24} {'runs':>5} {'median':>9} {'min':>9} {'mean':>9}")
for name in ["old version", "new version", "old prompt-state", "new prompt-state"]:
    t = runs[name]
    print(f"{name:24} {len(t):>5} {ms(statistics.median(t)):>9} {ms(min(t)):>9} {ms(statistics.mean(t)):>9}")
EOF
