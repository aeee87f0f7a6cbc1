#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-plot.py TSV DIR: make bench's plots, as SVG files in DIR.

Reads the TSV bench-report.py wrote (case, n, metric, value, ...) and draws
part 2, N children completing into one parent, for every way:

  bench-per-child.svg   ns a child against N: completion in one thread,
                        setup, and completion from 4 CPUs at once
  bench-wakeups.svg     wake-ups of the waiting parent task a compound,
                        and calls that woke the parent's waiters, against N

Both axes are logarithmic.  And cevstack's own figures (table 7 and 8):

  bench-stack.svg       cevstack's IOPS over its dm or md peer's, a bar
                        for each lower device, mode and workload
  bench-hedge.svg       completion latency CDFs of the hedged mirror
                        reads: cevstack, md raid1, the fast leg alone

Plain SVG, no plotting library: the machine that runs make bench need not
have one.
"""

import math
import sys

WAYS = ['cev', 'bio_chain', 'countdown', 'completions', 'epoll',
        'wq_countdown']
COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#ff7f0e']
W, H = 420, 300                 # one panel
LEFT, RIGHT, TOP, BOTTOM = 60, 15, 30, 45


def read(path):
    figs, stack, hedge = {}, [], {}
    with open(path) as f:
        next(f)
        for line in f:
            case, n, metric, value, _, r = line.rstrip('\n').split('\t')[:6]
            if case in WAYS and '.' not in metric:
                figs[(case, int(n), metric)] = float(value)
            elif case.startswith('stack_') and metric == 'iops' and r:
                stack.append((case[len('stack_'):], float(r)))
            elif case.startswith('hedge_') and metric == 'clat_us':
                hedge.setdefault(case[len('hedge_'):], []).append(
                    (float(value), int(n) / 100.0))
    return figs, stack, hedge


def write_svg(path, width, height, body):
    with open(path, 'w') as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" '
                'height="%d" font-family="sans-serif" font-size="11">\n' % (
                    width, height))
        f.write('\n'.join(body))
        f.write('\n</svg>\n')


def stack_bars(path, rows):
    """A bar a row: cevstack's IOPS / its peer's, with 0.9 and 1 marked."""
    left, bar, scale = 260, 14, 300     # scale: pixels for a ratio of 1
    top = 40
    hi = max([1.2] + [r for _, r in rows])
    body = ['<text x="10" y="20" font-size="14">cevstack IOPS / dm or md '
            'peer IOPS, same lower devices</text>']
    for i, (name, r) in enumerate(rows):
        y = top + i * (bar + 4)
        body.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (
            left - 6, y + bar - 3, name))
        body.append('<rect x="%d" y="%d" width="%.1f" height="%d" '
                    'fill="%s"/>' % (left, y, r * scale, bar,
                                     '#2ca02c' if r >= 0.9 else '#d62728'))
        body.append('<text x="%.1f" y="%d">%.2f</text>' % (
            left + r * scale + 4, y + bar - 3, r))
    bottom = top + len(rows) * (bar + 4)
    for mark in (0.9, 1.0):
        x = left + mark * scale
        body.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#444" '
                    'stroke-dasharray="4 3"/>' % (x, top - 6, x, bottom))
        body.append('<text x="%.1f" y="%d" text-anchor="middle">%.1f</text>'
                    % (x, bottom + 14, mark))
    write_svg(path, int(left + hi * scale + 60), bottom + 24, body)


def hedge_cdfs(path, curves):
    """A panel a case: the CDF of each device's read latency, log x."""
    cases = sorted({c.rsplit('_', 1)[0] for c in curves})
    drivers = [('cevstack', '#d62728'), ('cevstack-nohedge', '#ff7f0e'),
               ('md', '#1f77b4'), ('alone', '#2ca02c')]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    body = ['<text x="%d" y="20" font-size="14">hedged mirror reads: '
            'completion latency CDF</text>' % LEFT]
    for i, case in enumerate(cases):
        x0 = i * W
        pts = [v for d, _ in drivers for v, _ in curves.get(
            '%s_%s' % (case, d), []) if v > 0]
        if not pts:
            continue
        xd = decades(min(pts), max(pts))
        if len(xd) < 2:
            xd = range(xd[0], xd[0] + 2)

        def sx(v, xd=xd, x0=x0):
            return x0 + LEFT + pw * (math.log10(v) - xd[0]) / (xd[-1] - xd[0])

        def sy(p):
            return 40 + TOP + ph * (1 - p / 100.0)
        body.append('<text x="%d" y="%d" font-weight="bold">%s</text>' % (
            x0 + LEFT, 40 + TOP - 8, case))
        body.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
                    'stroke="#888"/>' % (x0 + LEFT, 40 + TOP, pw, ph))
        for d in xd:
            body.append('<text x="%.1f" y="%d" text-anchor="middle">10<tspan '
                        'dy="-5" font-size="9">%d</tspan> us</text>' % (
                            sx(10 ** d), 40 + TOP + ph + 16, d))
        for p in (0, 50, 90, 100):
            body.append('<text x="%d" y="%.1f" text-anchor="end">%d%%</text>'
                        % (x0 + LEFT - 4, sy(p) + 4, p))
        for d, colour in drivers:
            c = sorted(curves.get('%s_%s' % (case, d), []))
            if c:
                body.append('<polyline points="%s" fill="none" stroke="%s" '
                            'stroke-width="2"/>' % (' '.join(
                                '%.1f,%.1f' % (sx(v), sy(p))
                                for v, p in c if v > 0), colour))
    for i, (d, colour) in enumerate(drivers):
        body.append('<rect x="%d" y="%d" width="14" height="4" fill="%s"/>'
                    % (LEFT + i * 120, 40 + H + 10, colour))
        body.append('<text x="%d" y="%d">%s</text>' % (
            LEFT + i * 120 + 18, 40 + H + 14, d))
    write_svg(path, W * max(1, len(cases)), 40 + H + 30, body)


def decades(lo, hi):
    return range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)


def panel(x0, title, series, ylabel):
    """One log-log panel at x offset x0; series: {way: [(n, value)]}."""
    pts = [p for s in series.values() for p in s if p[1] > 0]
    if not pts:
        return ['<text x="%d" y="%d">%s: no figures</text>' % (
            x0 + LEFT, TOP + 20, title)]
    xd = decades(min(p[0] for p in pts), max(p[0] for p in pts))
    yd = decades(min(p[1] for p in pts), max(p[1] for p in pts))
    if len(yd) < 2:
        yd = range(yd[0], yd[0] + 2)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(n):
        return x0 + LEFT + pw * (math.log10(n) - xd[0]) / (xd[-1] - xd[0])

    def sy(v):
        return TOP + ph * (1 - (math.log10(v) - yd[0]) / (yd[-1] - yd[0]))

    out = ['<text x="%d" y="%d" font-weight="bold">%s</text>' % (
        x0 + LEFT, TOP - 12, title)]
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
               'stroke="#888"/>' % (x0 + LEFT, TOP, pw, ph))
    for d in xd:
        x = sx(10 ** d)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                   'stroke="#ddd"/>' % (x, TOP, x, TOP + ph))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">10<tspan '
                   'dy="-5" font-size="9">%d</tspan></text>' % (
                       x, TOP + ph + 16, d))
    for d in yd:
        y = sy(10 ** d)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" '
                   'stroke="#ddd"/>' % (x0 + LEFT, y, x0 + LEFT + pw, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">10<tspan '
                   'dy="-5" font-size="9">%d</tspan></text>' % (
                       x0 + LEFT - 6, y + 4, d))
    out.append('<text x="%d" y="%d" text-anchor="middle">N (children a '
               'compound)</text>' % (x0 + LEFT + pw // 2, H - 8))
    out.append('<text x="%d" y="%d" text-anchor="middle" transform="rotate('
               '-90 %d %d)">%s</text>' % (x0 + 14, TOP + ph // 2, x0 + 14,
                                          TOP + ph // 2, ylabel))
    for way, colour in zip(WAYS, COLOURS):
        s = sorted(p for p in series.get(way, []) if p[1] > 0)
        if not s:
            continue
        path = ' '.join('%.1f,%.1f' % (sx(n), sy(v)) for n, v in s)
        width = 3 if way == 'cev' else 1.5
        out.append('<polyline points="%s" fill="none" stroke="%s" '
                   'stroke-width="%s"/>' % (path, colour, width))
        for n, v in s:
            out.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>' % (
                sx(n), sy(v), colour))
    return out


def legend(y):
    out = []
    for i, (way, colour) in enumerate(zip(WAYS, COLOURS)):
        x = LEFT + i * 120
        out.append('<rect x="%d" y="%d" width="14" height="4" fill="%s"/>' % (
            x, y - 4, colour))
        out.append('<text x="%d" y="%d">%s</text>' % (x + 18, y, way))
    return out


def svg(path, panels, title):
    width = W * len(panels)
    body = ['<text x="%d" y="-8" font-size="14">%s</text>' % (LEFT, title)]
    for i, (ptitle, series, ylabel) in enumerate(panels):
        body += panel(i * W, ptitle, series, ylabel)
    body += legend(H + 22)
    with open(path, 'w') as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" '
                'height="%d" font-family="sans-serif" font-size="11">\n' % (
                    width, H + 64))
        f.write('<g transform="translate(0,30)">\n')
        f.write('\n'.join(body))
        f.write('\n</g>\n</svg>\n')


def series(figs, metric):
    out = {}
    for (way, n, m), v in figs.items():
        if m == metric:
            out.setdefault(way, []).append((n, v))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    figs, stack, hedge = read(sys.argv[1])
    out = sys.argv[2].rstrip('/')
    if stack:
        stack_bars(out + '/bench-stack.svg', stack)
        print('plots: %s/bench-stack.svg' % out)
    if hedge:
        hedge_cdfs(out + '/bench-hedge.svg', hedge)
        print('plots: %s/bench-hedge.svg' % out)
    if not figs:
        return
    svg(out + '/bench-per-child.svg', [
        ('completion, one thread', series(figs, 'ns_per_child'), 'ns a child'),
        ('setup', series(figs, 'setup_ns_per_child'), 'ns a child'),
        ('completion from 4 CPUs', series(figs, 'spread_ns_per_child'),
         'ns a child'),
    ], 'N children completing into one parent: cost a child')
    svg(out + '/bench-wakeups.svg', [
        ('waiting task woken, a compound', series(figs, 'parent_wakeups'),
         'wake-ups'),
        ('parent\'s waiters notified, a compound',
         series(figs, 'parent_notifications'), 'calls'),
    ], 'N children completing into one parent: wake-ups of the parent')
    print('plots: %s/bench-per-child.svg %s/bench-wakeups.svg' % (out, out))


if __name__ == '__main__':
    main()
