#!/bin/sh
# Stand-in for EXTERNAL_DRIVE_SYNC ("Backup to external drives (stub)"), a plain program that
# warden runs with `command`: every $1 seconds (default 30) it copies the promoted models the
# drive (work/backup/external-drive/) does not have yet, and says so on stdout (its log).
# SIGTERM to its process group (warden's stop) ends the loop and the sleep alike.
set -u
cd "$(dirname "$0")/.." || exit 1
src=work/models/promoted
drive=work/backup/external-drive
mkdir -p "$src" "$drive"
while :; do
  copied=0
  for model in "$src"/*.json; do
    [ -e "$model" ] || continue
    if [ ! -e "$drive/${model##*/}" ]; then
      cp -p "$model" "$drive/" && copied=$((copied + 1))
    fi
  done
  echo "copied $copied new models; $(ls "$drive" | wc -l) on the drive"
  sleep "${1:-30}"
done
