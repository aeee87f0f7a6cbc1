#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-plot.py TSV DIR: make bench's plots, as SVG files in DIR.

Reads the TSV bench-report.py wrote (case, n, metric, value, ...) and draws
part 2, N children completing into one parent, for every way:

  bench-per-child.svg   ns a child against N: completion in one thread,
                        setup, and completion from 4 CPUs at once
  bench-wakeups.svg     wake-ups of the waiting parent task a compound,
                        and calls that woke the parent's waiters, against N

Both axes are logarithmic.  Plain SVG, no plotting library: the machine
that runs make bench need not have one.
"""

import math
import sys

WAYS = ['cev', 'bio_chain', 'countdown', 'completions', 'epoll',
        'wq_countdown']
COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#ff7f0e']
W, H = 420, 300                 # one panel
LEFT, RIGHT, TOP, BOTTOM = 60, 15, 30, 45


def read(path):
    figs = {}
    with open(path) as f:
        next(f)
        for line in f:
            case, n, metric, value = line.rstrip('\n').split('\t')[:4]
            if case in WAYS and '.' not in metric:
                figs[(case, int(n), metric)] = float(value)
    return figs


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
    figs = read(sys.argv[1])
    out = sys.argv[2].rstrip('/')
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
