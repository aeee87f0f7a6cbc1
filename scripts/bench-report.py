#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py [--vmlinux=KERNEL:PATH]... TSV LOG...: make bench's tables.

Reads the console logs of the bench boots (build/logs/bench-*.log): the
module's "cev-bench: case=... n=... metric=... median=... min=... max=..."
lines, the guest's "cev-fio: NAME BS JSON" lines and its file system
part's "cev-fs: WORKLOAD COMMITS CTXSW JSON" lines (logs named
bench-fs-stock-* and bench-fs-perf-*, which finish with "cev-fs: done"
rather than the module's last line), and the stacking part's
"cev-stack: LOWER MODE DRIVER WORKLOAD JSON" and "cev-hedge: CASE DRIVER
HEDGES READS [COPIES] JSON" lines (bench-stack.log, which ends "cev-stack: done").  Logs named
bench-wake-stock-* and bench-wake-perf-* are the interleaved boots of the
two kernels; their per-boot medians are combined by their median, and the
spread shown is the lowest and highest round of any boot.

Prints markdown tables on stdout and writes TSV with the columns case, n,
metric, value, baseline, ratio (ratio = value / baseline).  Exits 1 if a
boot did not finish its benchmarks or one of them reported an error.

Given both kernels' vmlinux, table 1 is followed by the functions of its
paths whose code crosses a 4 KiB page in one kernel and not in the other.
Under QEMU's TCG that matters: a jump within a guest page is chained to
the next translated block, one into another page is looked up, so the
same instructions run slower where the linker placed them across a page
boundary.  On hardware the difference is one more iTLB entry at most.
"""

import json
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r'cev-bench: case=(\S+) n=(\d+) metric=(\S+) '
                  r'median=([\d.]+) min=([\d.]+) max=([\d.]+) rounds=(\d+)')
FIO = re.compile(r'cev-fio: (\S+) (\S+) (\{.*\})\s*$')
FS = re.compile(r'cev-fs: (\S+) (\d+) (\d+) (\{.*\})\s*$')
STACK = re.compile(r'cev-stack: (\S+) (\S+) (\S+) (\S+) (\{.*\})\s*$')
HEDGE = re.compile(r'cev-hedge: (\S+) (\S+) (\d+) (\d+)(?: (\d+))? (\{.*\})\s*$')
STACK_WORKLOADS = ['randread_4k', 'randwrite_4k', 'randread_4k_qd32x4',
                   'read_128k_qd8']
HEDGE_PCTS = ['50.000000', '99.000000', '99.900000']

# The functions part 1 runs through: wake_up(), lock_buffer() and
# unlock_buffer() with and without a wait_on_bit()-style waiter.
WAKE_PATH = ['__wake_up', '__wake_up_common', 'default_wake_function',
             'try_to_wake_up', 'unlock_buffer', 'wake_up_bit', '__wake_up_bit',
             'bit_waitqueue', 'wake_bit_function', 'autoremove_wake_function',
             'prepare_to_wait', 'finish_wait']

WAYS = ['cev', 'bio_chain', 'countdown', 'completions', 'epoll',
        'wq_countdown']


class Fig:
    """One figure: the medians of the boots that measured it, the spread."""

    def __init__(self):
        self.medians = []
        self.lo = None
        self.hi = None
        self.rounds = 0

    def add(self, med, lo, hi, rounds):
        self.medians.append(med)
        self.lo = lo if self.lo is None else min(self.lo, lo)
        self.hi = hi if self.hi is None else max(self.hi, hi)
        self.rounds += rounds

    @property
    def value(self):
        return statistics.median(self.medians)


def num(x):
    if x is None:
        return ''
    if x >= 100:
        return '%.0f' % x
    if x >= 10:
        return '%.1f' % x
    return '%.2f' % x


def spread(f):
    return '%s (%s-%s)' % (num(f.value), num(f.lo), num(f.hi))


def ratio(a, b):
    return a / b if b else None


def against(f, base):
    """Two cells: a figure with its spread, and its ratio to the baseline."""
    if not f:
        return ['-', '-']
    return [spread(f), '%.2f' % ratio(f.value, base.value) if base else '-']


class Report:
    def __init__(self):
        self.figs = {}          # (kernel, case, n, metric) -> Fig
        self.fio = {}           # (name, bs) -> fio job dict
        self.fs = {}            # (kernel, workload) -> [per-boot dicts]
        self.stack = {}         # (lower, mode, driver, workload) -> [figs]
        self.hedge = {}         # (case, driver) -> figs
        self.errors = []
        self.rows = []

    def read(self, path):
        base = os.path.basename(path)
        kernel = ('stock' if '-stock-' in base else
                  'placebo' if '-placebo-' in base else 'perf')
        done = False
        with open(path, errors='replace') as f:
            for line in f:
                m = LINE.search(line)
                if m:
                    case, n, metric = m.group(1), int(m.group(2)), m.group(3)
                    key = (kernel, case, n, metric)
                    fig = self.figs.setdefault(key, Fig())
                    fig.add(float(m.group(4)), float(m.group(5)),
                            float(m.group(6)), int(m.group(7)))
                    continue
                m = FIO.search(line)
                if m:
                    try:
                        job = json.loads(m.group(3))['jobs'][0]
                        self.fio[(m.group(1), m.group(2))] = job
                    except (ValueError, KeyError, IndexError) as e:
                        self.errors.append('%s: fio %s %s: %s' % (
                            path, m.group(1), m.group(2), e))
                    continue
                m = STACK.search(line)
                if m:
                    try:
                        self.stack.setdefault(m.groups()[:4], []).append(
                            job_figs(json.loads(m.group(5))['jobs'][0]))
                    except (ValueError, KeyError, IndexError) as e:
                        self.errors.append('%s: stack %s: %s' % (
                            path, ' '.join(m.groups()[:4]), e))
                    continue
                m = HEDGE.search(line)
                if m:
                    try:
                        job = json.loads(m.group(6))['jobs'][0]
                        f = job_figs(job)
                        f['over_10ms'] = over_10ms(job)
                        f['hedges'] = int(m.group(3))
                        f['reads'] = int(m.group(4))
                        f['copies'] = (int(m.group(5))
                                       if m.group(5) is not None else None)
                        self.hedge[(m.group(1), m.group(2))] = f
                    except (ValueError, KeyError, IndexError) as e:
                        self.errors.append('%s: hedge %s %s: %s' % (
                            path, m.group(1), m.group(2), e))
                    continue
                if 'cev-stack: done' in line and base == 'bench-stack.log':
                    done = True
                elif 'cev-stack: ' in line or 'cev-hedge: ' in line:
                    # Cut short, or a kernel message in its middle.
                    self.errors.append('%s: unreadable: %s' % (
                        path, line.strip()[:80]))
                    continue
                m = FS.search(line)
                if m:
                    try:
                        job = json.loads(m.group(4))['jobs'][0]
                        self.fs.setdefault((kernel, m.group(1)), []).append(
                            fs_figs(job, int(m.group(2)), int(m.group(3))))
                    except (ValueError, KeyError, IndexError) as e:
                        self.errors.append('%s: fs %s: %s' % (
                            path, m.group(1), e))
                    continue
                if 'cev-fs: done' in line and base.startswith('bench-fs-'):
                    done = True
                if 'cev-bench: error:' in line:
                    self.errors.append('%s: %s' % (
                        path, line.split('cev-bench: ', 1)[1].strip()))
                if 'cev-bench: done errors=' in line:
                    done = True
        if not done:
            self.errors.append('%s: the benchmark module did not finish' % path)

    def fig(self, kernel, case, n, metric):
        return self.figs.get((kernel, case, n, metric))

    def row(self, case, n, metric, value, baseline):
        r = ratio(value, baseline) if baseline is not None else None
        self.rows.append((case, n, metric, value, baseline, r))

    def row_fig(self, case, n, metric, f, base):
        """The median, min and max of a figure, each against the baseline's."""
        self.row(case, n, metric, f.value, base.value if base else None)
        self.row(case, n, metric + '.min', f.lo, base.lo if base else None)
        self.row(case, n, metric + '.max', f.hi, base.hi if base else None)

    def cases(self, kernel, metric, names):
        out = {}
        for (k, case, n, m) in self.figs:
            if k == kernel and m == metric and case in names:
                out.setdefault(case, set()).add(n)
        return out

    def table_wake(self):
        print('### 1. Ordinary waiters: patched kernel against stock and '
              'placebo\n')
        print('Interleaved boots of the three kernels.  Placebo: stock with '
              'code that never runs added where patch 1 adds its own, so '
              'that `prepare_to_wait()` and what follows it land where they '
              'do in the patched kernel.  Median: the median of the boots\' '
              'medians (lowest-highest round).  Best boot: the lowest of the '
              'boots\' medians; in TCG a boot can run a case slower '
              'throughout, in any kernel, so the best boot is the figure '
              'least disturbed by the emulator.\n')
        print('| case | waiters | patched ns | stock ns | placebo ns '
              '| patched/stock | patched/placebo '
              '| best boot: patched/stock | patched/placebo |')
        print('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
        for case, metric in (('wake_up', 'ns_per_wakeup'),
                             ('unlock_buffer', 'ns_per_unlock')):
            ns = sorted(self.cases('perf', metric, [case]).get(case, []))
            for n in ns:
                p = self.fig('perf', case, n, metric)
                s = self.fig('stock', case, n, metric)
                q = self.fig('placebo', case, n, metric)
                if not p or not s:
                    continue
                self.row_fig(case, n, metric, p, s)
                pb, sb = min(p.medians), min(s.medians)
                self.row(case, n, metric + '.best_boot', pb, sb)
                qcells = ['-', '-', '-']
                if q:
                    qb = min(q.medians)
                    self.row(case + '_placebo', n, metric, p.value, q.value)
                    self.row(case + '_placebo', n, metric + '.best_boot',
                             pb, qb)
                    qcells = [spread(q), '%.3f' % (p.value / q.value),
                              '%.3f' % (pb / qb)]
                print('| %s | %d | %s | %s | %s | %.3f | %s | %.3f | %s |' % (
                    case, n, spread(p), spread(s), qcells[0],
                    p.value / s.value, qcells[1], pb / sb, qcells[2]))
                if len(p.medians) > 1:
                    print('|  | boots: | %s | %s | %s | | | | |' % (
                        ' '.join(num(x) for x in p.medians),
                        ' '.join(num(x) for x in s.medians),
                        ' '.join(num(x) for x in q.medians) if q else ''))
        print()

    def layout_note(self, vmlinux):
        """Part 1's functions that straddle a page in one kernel only."""
        spans = {}
        for kernel, path in vmlinux.items():
            out = subprocess.run(['nm', '-S', path], capture_output=True,
                                 text=True, check=True).stdout
            for line in out.splitlines():
                f = line.split()
                if len(f) == 4 and f[3] in WAKE_PATH:
                    start, size = int(f[0], 16), int(f[1], 16)
                    spans.setdefault(f[3], {})[kernel] = (
                        start // 4096 != (start + size - 1) // 4096)
        odd = [fn for fn in WAKE_PATH
               if len(set(spans.get(fn, {}).values())) > 1]
        if not odd:
            print('No function of these paths crosses a 4 KiB page in one '
                  'kernel and not in the other.\n')
            return
        for fn in odd:
            where = [k for k, crosses in spans[fn].items() if crosses]
            not_ = [k for k, crosses in spans[fn].items() if not crosses]
            print('- `%s` crosses a 4 KiB page in the %s kernel, not in the '
                  '%s.' % (fn, ' and '.join(where), ' and '.join(not_)))
        print('\nUnder TCG a function across a page boundary runs slower '
              '(the jump into the second page is looked up, not chained): '
              'a difference in a case that runs it is placement, not code.\n')

    def table_compound(self):
        print('### 2. N children completing into one parent\n')
        print('Medians of the boots\' medians (lowest-highest round of any '
              'boot).  ns a child: completing every child and the parent\'s wait, in '
              'one thread; setup: building the compound.  Notifications: '
              'calls that woke the parent\'s waiters, a compound.  Wake-ups: '
              'times the waiting parent task was woken while another CPU '
              'completed the children (its voluntary context switches), and '
              'that run\'s wall time a child.  4 CPUs: the children '
              'completed by four kthreads on four CPUs at once, a quarter '
              'each, wall time a child.  Ratios are to cev.  '
              'wq_countdown is a reference, not an upstream mechanism: the '
              'countdown run by a wake function on each child\'s wait queue, '
              'the floor under any child that is a wait queue entry.\n')
        print('| N | way | ns/child | x cev | setup ns/child | x cev | '
              'notifications | wake-ups | threaded ns/child | x cev | '
              '4 CPUs ns/child | x cev |')
        print('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        ns = sorted({n for (k, c, n, m) in self.figs
                     if k == 'perf' and c in WAYS})
        for n in ns:
            base = {m: self.fig('perf', 'cev', n, m) for m in
                    ('ns_per_child', 'setup_ns_per_child',
                     'threaded_ns_per_child', 'spread_ns_per_child')}
            for way in WAYS:
                f = {m: self.fig('perf', way, n, m) for m in
                     ('ns_per_child', 'setup_ns_per_child',
                      'parent_notifications', 'parent_wakeups',
                      'threaded_ns_per_child', 'spread_ns_per_child')}
                if not f['ns_per_child']:
                    continue
                for m, fig in f.items():
                    if fig:
                        self.row_fig(way, n, m, fig, base.get(m))
                cells = []
                for m in ('ns_per_child', 'setup_ns_per_child'):
                    cells += against(f[m], base[m])
                for m in ('parent_notifications', 'parent_wakeups'):
                    cells.append(num(f[m].value) if f[m] else '-')
                for m in ('threaded_ns_per_child', 'spread_ns_per_child'):
                    cells += against(f[m], base[m])
                print('| %d | %s | %s |' % (n, way, ' | '.join(cells)))
        print()

    def table_floor(self):
        """cev against the floor: the ratios the core is held to."""
        print('### 2a. cev against the floor\n')
        print('cev / wq_countdown per child (the floor under any child '
              'that is a wait queue entry), a one-child compound against '
              '`bio_chain()`, and the sizes of the structures on x86-64 '
              'without debugging options.\n')
        print('Each cell: the ratio of the medians of the boots\' medians, '
              'and in brackets of the best boots\' medians.\n')
        print('| N | completion | setup | 4 CPUs | parent wake-ups |')
        print('|---:|---:|---:|---:|---:|')
        ns = sorted({n for (k, c, n, m) in self.figs
                     if k == 'perf' and c == 'cev'})
        for n in ns:
            cells = []
            for m in ('ns_per_child', 'setup_ns_per_child',
                      'spread_ns_per_child'):
                c = self.fig('perf', 'cev', n, m)
                w = self.fig('perf', 'wq_countdown', n, m)
                if c and w:
                    self.row('floor', n, m, c.value, w.value)
                    self.row('floor', n, m + '.best_boot', min(c.medians),
                             min(w.medians))
                    cells.append('%.2f (%.2f)' % (
                        ratio(c.value, w.value),
                        ratio(min(c.medians), min(w.medians))))
                else:
                    cells.append('-')
            wk = self.fig('perf', 'cev', n, 'parent_wakeups')
            cells.append(num(wk.value) if wk else '-')
            print('| %d | %s |' % (n, ' | '.join(cells)))
        c = self.fig('perf', 'cev', 1, 'ns_per_child')
        b = self.fig('perf', 'bio_chain', 1, 'ns_per_child')
        if c and b:
            self.row('floor_one_child', 1, 'ns_per_child', c.value, b.value)
            print('\nOne-child compound: cev %s ns, bio_chain %s ns, '
                  'cev/bio_chain %.2f (best boots %.2f).' % (
                      num(c.value), num(b.value), ratio(c.value, b.value),
                      ratio(min(c.medians), min(b.medians))))
        sizes = [(m, f.value) for (k, case, n, m), f in sorted(
            self.figs.items()) if k == 'perf' and case == 'sizeof']
        if sizes:
            for m, v in sizes:
                self.row('sizeof', 0, m, v, None)
            print('\nSizes: ' + ', '.join('`%s` %d B' % (
                m.replace('struct_', 'struct '), v) for m, v in sizes) + '.')
        print()

    def table_cancel(self):
        print('### 3. Cancellation against completion (cev)\n')
        print('| N | cancel ns/child | complete ns/child | cancel/complete |')
        print('|---:|---:|---:|---:|')
        for n in sorted(self.cases('perf', 'ns_per_child',
                                   ['cev_cancel']).get('cev_cancel', [])):
            c = self.fig('perf', 'cev_cancel', n, 'ns_per_child')
            d = self.fig('perf', 'cev', n, 'ns_per_child')
            if not d:
                continue
            self.row_fig('cev_cancel', n, 'ns_per_child', c, d)
            print('| %d | %s | %s | %.2f |' % (n, spread(c), spread(d),
                                               c.value / d.value))
        print()

    def table_layers(self):
        print('### 4. Layers on a wake-up\n')
        print('wake_up() of a queue with one ordinary waiter behind k '
              'inline layers; the deferred row is one layer that defers to '
              'task context, wake_up() until the waiter is woken.\n')
        print('| layers | ns/wake-up | added ns | x 0 layers |')
        print('|---:|---:|---:|---:|')
        base = self.fig('perf', 'layers', 0, 'ns_per_wakeup')
        if not base:
            return
        for n in sorted(self.cases('perf', 'ns_per_wakeup',
                                   ['layers']).get('layers', [])):
            f = self.fig('perf', 'layers', n, 'ns_per_wakeup')
            self.row_fig('layers', n, 'ns_per_wakeup', f, base)
            print('| %d | %s | %s | %.2f |' % (n, spread(f),
                                               num(f.value - base.value),
                                               f.value / base.value))
        d = self.fig('perf', 'layer_deferred', 1, 'ns_per_wakeup')
        if d:
            self.row_fig('layer_deferred', 1, 'ns_per_wakeup', d, base)
            print('| 1 deferred | %s | %s | %.2f |' % (
                spread(d), num(d.value - base.value), d.value / base.value))
        print()

    def io_figs(self, name, bs):
        job = self.fio.get((name, bs))
        if not job:
            return None
        r = job['read']
        pct = r['clat_ns']['percentile']
        return {'MBps': r['bw_bytes'] / 1e6, 'iops': r['iops'],
                'p50_us': pct['50.000000'] / 1e3,
                'p99_us': pct['99.000000'] / 1e3}

    def table_io(self):
        print('### 5. Direct random reads through cevstack (fio, psync, '
              'one I/O at a time)\n')
        print('Lower devices: brd ramdisks; the slow mirror is null_blk '
              'with 2 ms completions.  dm_linear is upstream\'s stacking '
              'driver over a ramdisk, for comparison with cevstack\'s '
              'linear.  Ratios: MB/s against the baseline (the lower '
              'device alone; for the hedge, the fast one alone).\n')
        print('| bs | device | MB/s | x base | IOPS | p50 us | p99 us |')
        print('|---|---|---:|---:|---:|---:|---:|')
        for bs in sorted({b for (_, b) in self.fio},
                         key=lambda b: int(b.rstrip('k'))):
            nbytes = int(bs.rstrip('k')) * 1024
            for names, basename in ((('lower', 'dm_linear', 'linear',
                                      'layer', 'stripe', 'mirror'), 'lower'),
                                    (('fast_alone', 'slow_alone', 'hedged'),
                                     'fast_alone')):
                base = self.io_figs(basename, bs)
                for name in names:
                    f = self.io_figs(name, bs)
                    if not f or not base:
                        continue
                    for m in ('MBps', 'iops', 'p50_us', 'p99_us'):
                        self.row('io_' + name, nbytes, m, f[m], base[m])
                    print('| %s | %s | %s | %.2f | %s | %s | %s |' % (
                        bs, name, num(f['MBps']),
                        f['MBps'] / base['MBps'], num(f['iops']),
                        num(f['p50_us']), num(f['p99_us'])))
        print()

    def table_stack(self):
        if not self.stack:
            return
        print('### 7. cevstack against dm and md, over the same lower '
              'devices (fio, direct I/O)\n')
        print('One boot; each device alone in turn, cevstack then its '
              'peer, then the other way round; figures are the means of '
              'the runs.  brd completes inside '
              'submit; nullb is a memory-backed null_blk with one queue, '
              'whose completions ksoftirqd runs.  Peers: dm-linear, dm\'s striped target with '
              '4 KiB chunks (stripe2-64k: 64 KiB, both), md raid1; '
              'raid10: a cevstack mirror of two cevstack stripes (4 KiB '
              'chunks) over four legs against md raid10 (near 2, 4 KiB '
              'chunks).  '
              'Workloads: 4 KiB random reads and '
              'writes, psync, one at a time; 4 KiB random reads, libaio, '
              '4 jobs x 32 deep; 128 KiB sequential reads, libaio, 8 deep.  '
              'A mirror is measured hedged (the default) and with hedge=N '
              '(a read from one leg, straight into the bio).  '
              'x peer = cevstack / peer, IOPS and p99 latency.\n')
        print('| lower | mode | peer | workload | cevstack IOPS | peer IOPS '
              '| x peer | x peer, each run | p99 us cevstack | p99 us peer '
              '| p99 x peer |')
        print('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|')
        keys = sorted({(lo, mo) for (lo, mo, _, _) in self.stack})
        for lower, mode in keys:
            peer = 'md' if mode in ('mirror', 'raid10') else 'dm'
            # A mirror twice: hedged (the default), and with hedge=N.
            for drv, suffix in (('cevstack', ''), ('cevstack-nohedge',
                                                   '-nohedge')):
                self.stack_rows(lower, mode, peer, drv, suffix)
        print()

    def stack_rows(self, lower, mode, peer, drv, suffix):
        for w in STACK_WORKLOADS:
            cs = self.stack.get((lower, mode, drv, w))
            ps = self.stack.get((lower, mode, peer, w))
            if not cs or not ps:
                continue
            c = {k: statistics.mean(f[k] for f in cs)
                 for k in ('iops', 'p99_us')}
            p = {k: statistics.mean(f[k] for f in ps)
                 for k in ('iops', 'p99_us')}
            # The runs of a pair in their order: cevstack's nth against
            # its peer's nth.
            runs = ' / '.join('%.2f' % (a['iops'] / b['iops'])
                              for a, b in zip(cs, ps))
            case = 'stack_%s_%s%s_%s' % (lower, mode, suffix, w)
            self.row(case, 0, 'iops', c['iops'], p['iops'])
            self.row(case, 0, 'p99_us', c['p99_us'], p['p99_us'])
            print('| %s | %s%s | %s | %s | %s | %s | %.2f | %s | %s | %s '
                  '| %.2f |'
                  % (lower, mode, suffix and ' hedge=N', peer, w,
                     num(c['iops']), num(p['iops']), c['iops'] / p['iops'],
                     runs, num(c['p99_us']), num(p['p99_us']),
                     c['p99_us'] / p['p99_us']))

    def table_hedge(self):
        if not self.hedge:
            return
        print('### 8. Hedged mirror reads (fio, 4 KiB at random, psync, '
              'one at a time)\n')
        print('healthy: two brd legs; slow_leg: brd and a null_blk with '
              '2 ms completions; stalling_leg: brd and dm-delay over brd, '
              'its delay switched between 0 and 20 ms every 500 ms; '
              'healthy_100us and stalling_100us: the same over two '
              'memory-backed null_blks completing from a timer after '
              '100 us; stalling_first_100us: the stalling leg the '
              'mirrors\' first (md raid1 reads its first leg when one read '
              'is in flight).  md is '
              'md raid1 over the same legs, alone the fast leg by itself, '
              'cevstack-nohedge cevstack with hedge=N.  '
              'Over 10 ms: the % of reads that took longer (a stalled '
              'leg\'s reads take 20 ms).  Extra reads: the reads cevstack '
              'hedged to a second leg, % of its reads.  Copied: its lower '
              'reads through private pages, % of its reads (a hedged '
              'read\'s, each of its copies: cevstack hedges only the '
              'reads of a leg late lately).\n')
        print('| case | device | IOPS | p50 us | p99 us | p99.9 us '
              '| p99.99 us | over 10 ms | p99 x alone | extra reads '
              '| copied |')
        print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        for case in ('healthy', 'slow_leg', 'stalling_leg', 'healthy_100us',
                     'stalling_100us', 'stalling_first_100us'):
            alone = self.hedge.get((case, 'alone'))
            for drv in ('cevstack', 'cevstack-nohedge', 'md', 'alone'):
                f = self.hedge.get((case, drv))
                if not f:
                    continue
                for pct, v in f['pcts']:
                    self.row('hedge_%s_%s' % (case, drv), int(pct * 100),
                             'clat_us', v, None)
                self.row('hedge_%s_%s' % (case, drv), 0, 'iops', f['iops'],
                         alone['iops'] if alone else None)
                self.row('hedge_%s_%s' % (case, drv), 0, 'over_10ms_pct',
                         f['over_10ms'], None)
                x = f['p99_us'] / alone['p99_us'] if alone else None
                extra = ('%.1f%%' % (100.0 * f['hedges'] / f['reads'])
                         if f['reads'] else '-')
                copied = ('%.1f%%' % (100.0 * f['copies'] / f['reads'])
                          if f['reads'] and f['copies'] is not None else '-')
                p9999 = dict(f['pcts']).get(99.99)
                print('| %s | %s | %s | %s | %s | %s | %s | %.2f%% | %s '
                      '| %s | %s |' % (
                          case, drv, num(f['iops']), num(f['p50_us']),
                          num(f['p99_us']), num(f['p999_us']),
                          num(p9999) or '-',
                          f['over_10ms'], '%.2f' % x if x else '-', extra,
                          copied))
        print()

    FS_METRICS = (('iops', 'IOPS'), ('fsync_p50_us', 'fsync p50 us'),
                  ('fsync_p99_us', 'fsync p99 us'),
                  ('ctx_per_fsync', 'ctx sw per fsync'),
                  ('jbd2_ctx_per_commit', 'jbd2 ctx sw per commit'),
                  ('runtime_s', 'job s'))

    def fs_fig(self, kernel, workload, metric):
        vals = [b[metric] for b in self.fs.get((kernel, workload), [])
                if b.get(metric) is not None]
        return statistics.median(vals) if vals else None

    def table_fs(self):
        workloads = sorted({w for (_, w) in self.fs})
        if not workloads:
            return
        boots = {k: len(v) for (k, _), v in self.fs.items()}
        print('### 6. File systems: the series against the stock kernel\n')
        print('ext4 (data=ordered, or without a journal) on nb, a '
              'memory-backed null_blk (four submit queues, completions '
              'from a timer after 100 us, in the order issued), and on '
              'stripe, dm\'s striped target (64 KiB chunks) over two '
              'such null_blks of 50 us and 400 us, whose completions '
              'are not in order.  fio, psync, 4 jobs, random 4 KiB '
              'writes with an fsync after every one (fsync1) or every '
              '32 (fsync32); seq256m is one 256 MiB buffered write and '
              'its fsync (one job).  Medians of %s boots of the stock '
              'kernel and %s of the patched one, interleaved; ratio '
              'patched / stock.  Context switches: the voluntary ones '
              'of the jbd2 thread per commit, and all of fio\'s job '
              'threads per fsync (for seq256m, of the whole job).  Job '
              's: the jobs\' run times added up.\n' % (
                  boots.get('stock', 0), boots.get('perf', 0)))
        cols = [m for m, _ in self.FS_METRICS]
        print('| workload | kernel | ' +
              ' | '.join(t for _, t in self.FS_METRICS) + ' |')
        print('|---|---|' + '---:|' * len(cols))
        for w in workloads:
            stock = {m: self.fs_fig('stock', w, m) for m in cols}
            perf = {m: self.fs_fig('perf', w, m) for m in cols}
            for kernel, f in (('stock', stock), ('patched', perf)):
                print('| %s | %s | %s |' % (w, kernel, ' | '.join(
                    num(f[m]) if f[m] is not None else '-' for m in cols)))
            cells = []
            for m in cols:
                r = (ratio(perf[m], stock[m])
                     if perf[m] is not None and stock[m] is not None
                     else None)
                cells.append('%.2f' % r if r is not None else '-')
                if perf[m] is not None:
                    self.row('fs_' + w, 0, m, perf[m], stock[m])
            print('| %s | ratio | %s |' % (w, ' | '.join(cells)))
        print()

    def write_tsv(self, path):
        with open(path, 'w') as f:
            f.write('case\tn\tmetric\tvalue\tbaseline\tratio\n')
            for case, n, metric, value, base, r in self.rows:
                f.write('%s\t%d\t%s\t%s\t%s\t%s\n' % (
                    case, n, metric, '%.3f' % value,
                    '' if base is None else '%.3f' % base,
                    '' if r is None else '%.4f' % r))


def job_figs(job):
    """IOPS and completion latency percentiles of a read or write job."""
    d = job['read'] if job['read']['total_ios'] else job['write']
    pct = d['clat_ns']['percentile']
    return {
        'iops': d['iops'],
        'p50_us': pct['50.000000'] / 1e3,
        'p99_us': pct['99.000000'] / 1e3,
        'p999_us': pct['99.900000'] / 1e3,
        'pcts': sorted((float(k), v / 1e3) for k, v in pct.items()),
    }


def over_10ms(job):
    """The % of a job's I/Os that took over 10 ms (fio's buckets)."""
    return sum(v for k, v in job.get('latency_ms', {}).items()
               if k.startswith('>') or int(k) > 10)


def fs_figs(job, commits, jbd2_ctx):
    """The figures of one file system workload in one boot."""
    sync = job['sync']
    pct = sync['lat_ns'].get('percentile') or {}
    nsync = sync['total_ios']
    if not nsync and 'end_fsync' in job.get('job options', {}):
        nsync = 1               # fio does not count the final fsync
    return {
        'iops': job['write']['iops'],
        'fsync_p50_us': pct['50.000000'] / 1e3 if pct else None,
        'fsync_p99_us': pct['99.000000'] / 1e3 if pct else None,
        'ctx_per_fsync': job['ctx'] / nsync if nsync else None,
        'jbd2_ctx_per_commit': jbd2_ctx / commits if commits else None,
        'runtime_s': job['job_runtime'] / 1e3,
    }


def main():
    args = sys.argv[1:]
    vmlinux = {}
    while args and args[0].startswith('--vmlinux='):
        kernel, path = args.pop(0)[len('--vmlinux='):].split(':', 1)
        vmlinux[kernel] = path
    if len(args) < 2:
        sys.exit(__doc__)
    rep = Report()
    for path in args[1:]:
        rep.read(path)
    rep.table_wake()
    if len(vmlinux) >= 2:
        rep.layout_note(vmlinux)
    rep.table_compound()
    rep.table_floor()
    rep.table_cancel()
    rep.table_layers()
    rep.table_io()
    rep.table_fs()
    rep.table_stack()
    rep.table_hedge()
    rep.write_tsv(args[0])
    print('%d figures in %s' % (len(rep.rows), args[0]))
    for e in rep.errors:
        print('FAIL: %s' % e)
    sys.exit(1 if rep.errors else 0)


if __name__ == '__main__':
    main()
