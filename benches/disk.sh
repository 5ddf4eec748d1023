#!/usr/bin/env bash
# What one durable commit costs on this machine's disk, by how many pages it writes and where:
# a redb commit writes each page its transaction changed (copy on write, scattered over the
# file) then flushes them with one fdatasync, and a submission's commit waits for that flush.
# This writes N pages of 4 KiB at random places of a 64 MiB file, then N pages side by side,
# and times the fdatasync after each, 100 times per N.
#
#   benches/disk.sh [DIRECTORY]     (default: the current directory, which should be on the
#                                    disk the data directory is on)
#
# Needs python3. Prints, per N, the median and 90th percentile of the flush in milliseconds.
set -euo pipefail
dir=${1:-.}
file=$(mktemp "$dir/guichet-disk-probe.XXXXXX")
trap 'rm -f "$file"' EXIT
python3 - "$file" <<'PY'
import os, random, sys, time

fd = os.open(sys.argv[1], os.O_RDWR)
pages = 16384  # 64 MiB of 4 KiB pages
os.ftruncate(fd, pages * 4096)
os.fsync(fd)
print(f"{'pages':>5}  {'scattered p50':>13} {'p90':>7}  {'side by side p50':>16} {'p90':>7}  (ms)")
for n in (1, 4, 8, 16, 32, 48, 64):
    rows = []
    for scattered in (True, False):
        times = []
        for _ in range(100):
            if scattered:
                for _ in range(n):
                    os.pwrite(fd, os.urandom(4096), random.randrange(pages) * 4096)
            else:
                os.pwrite(fd, os.urandom(4096 * n), random.randrange(pages - n) * 4096)
            started = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        rows.append((times[50], times[90]))
    (s50, s90), (c50, c90) = rows
    print(f"{n:>5}  {s50:>13.2f} {s90:>7.2f}  {c50:>16.2f} {c90:>7.2f}")
os.close(fd)
PY
