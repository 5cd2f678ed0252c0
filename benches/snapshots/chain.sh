#!/bin/bash
# Makes a snapshot chain for timing `agsekit snapshots` (docs/performance.md, The snapshots
# listing): DIR/src, a tree of FILES small files in folders of 100, and DIR/dest, a chain of
# SNAPSHOTS snapshots made by BIN, each after 10 files were edited, 5 added and up to 3
# deleted. One snapshot per second at most (names have one-second resolution).
#
#   benches/snapshots/chain.sh BIN DIR FILES SNAPSHOTS
#   hyperfine -N "BIN snapshots --dest-dir DIR/dest --source-dir DIR/src"
set -eu
if [ "$#" -ne 4 ]; then
  echo "usage: $0 BIN DIR FILES SNAPSHOTS" >&2
  exit 2
fi
bin=$1 dir=$2 files=$3 snaps=$4
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/dest"
dirs=$(( files / 100 ))
for d in $(seq 1 "$dirs"); do
  mkdir -p "$dir/src/d$d"
  for f in $(seq 1 100); do printf 'file %s %s\n' "$d" "$f" > "$dir/src/d$d/f$f.txt"; done
done
n=0
for i in $(seq 1 "$snaps"); do
  if [ "$i" -gt 1 ]; then
    for k in $(seq 1 10); do
      d=$(( (i * 7 + k) % dirs + 1 ))
      echo "edit $i" >> "$dir/src/d$d/f$k.txt"
    done
    for _ in 1 2 3 4 5; do
      n=$(( n + 1 ))
      echo new > "$dir/src/d1/new$n.txt"
    done
    for k in 1 2 3; do
      d=$(( (i * 3 + k) % dirs + 1 ))
      rm -f "$dir/src/d$d/f$(( 50 + i % 50 )).txt"
    done
  fi
  "$bin" backup-once --source-dir "$dir/src" --dest-dir "$dir/dest" > /dev/null
done
