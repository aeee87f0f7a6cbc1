#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ab-report.py DRIVERS RESULTS: scripts/ab.sh's table.

DRIVERS: lines "X REV" (the module cevstack_X built from REV).
RESULTS: the guest's lines "cev-ab: DRIVER LOWER MODE JOB IOPS P50 P99
P99.9" (tests/bench/ab.sh; DRIVER X, or dm), a line a job and round.
For each workload: each driver's median IOPS and p99 (us) over the
rounds, its IOPS over the first driver's, and the rounds' IOPS spread.
"""
import collections
import re
import statistics
import sys


def latency(field):
    """fio's terse percentile "99.000000%=23": 23 (us)."""
    m = re.search(r'=(\d+)$', field)
    return int(m.group(1)) if m else None


def main():
    drivers = [line.split(None, 1) for line in open(sys.argv[1])]
    runs = collections.defaultdict(list)
    for line in open(sys.argv[2]):
        f = line.split()
        if len(f) != 9 or f[0] != 'cev-ab:':
            continue
        drv, lower, mode, job = f[1:5]
        runs[(lower, mode, job, drv)].append((float(f[5]), latency(f[7])))
    first = drivers[0][0]
    print('drivers: ' + ', '.join('%s = %s' % (x, rev.strip())
                                  for x, rev in drivers))
    print('%-5s %-14s %-19s %-6s %8s %8s %6s %s' %
          ('lower', 'mode', 'workload', 'driver', 'IOPS', 'x ' + first,
           'p99', 'IOPS each round'))
    for key in sorted({k[:3] for k in runs}):
        base = runs.get(key + (first,))
        base_iops = statistics.median(r[0] for r in base) if base else None
        for drv in [x for x, _ in drivers] + ['dm']:
            rs = runs.get(key + (drv,))
            if not rs:
                continue
            iops = statistics.median(r[0] for r in rs)
            p99s = [r[1] for r in rs if r[1] is not None]
            ratio = '%.3f' % (iops / base_iops) if base_iops else '-'
            print('%-5s %-14s %-19s %-6s %8.0f %8s %6s %s' %
                  (key[0], key[1], key[2], drv, iops, ratio,
                   statistics.median(p99s) if p99s else '-',
                   ' '.join('%.0f' % r[0] for r in rs)))


if __name__ == '__main__':
    main()
