"""Charts of progress over time as SVG, made on the server: no library, no script.

The picture is accessible on its own (``role="img"``, a ``<title>`` and a ``<desc>``
that says the figures in words) and every page that shows one also shows the same
figures as a table. Text is escaped; nothing from outside is ever linked.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 48
#: Line colours and dash patterns: the series differ in more than colour.
STYLES = (("#1d5fa8", ""), ("#b34700", "6 4"), ("#2f7d32", "2 3"))


def axis_step(top: float) -> float:
    """The gap between the value axis's marks: 1, 2 or 5 times a power of ten, at least 1
    (the charts count answers and activities: no "7.5 answers"), four gaps or fewer to top."""
    raw = top / 4
    step = 1.0
    while step < raw:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10 -> 20 ...
            step *= factor
            if step >= raw:
                break
    return step


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    description: str = "",
) -> str:
    """A line chart of one or more series over the same labels (dates), as an SVG document."""
    step_value = axis_step(max([v for _, values in series for v in values] + [1]))
    highest = max([v for _, values in series for v in values] + [1])
    top = step_value * -(-highest // step_value)  # the axis ends on a mark at or above the highest
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step if len(labels) > 1 else LEFT + plot_w / 2

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    words = description or "; ".join(
        f"{name}: " + ", ".join(f"{label} {value:g}" for label, value in zip(labels, values))
        for name, values in series
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(words)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    for tick in range(int(top // step_value) + 1):  # horizontal grid with values
        value = step_value * tick
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#ccc"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{int(value)}</text>'
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    for index, (name, values) in enumerate(series):
        colour, dash = STYLES[index % len(STYLES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        legend_x = LEFT + index * 200
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" '
            f'stroke="{colour}" stroke-width="2"{dashed}/>'
            f'<text x="{legend_x + 30}" y="{HEIGHT - 8}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
