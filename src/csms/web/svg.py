"""Charts as inline SVG, drawn on the server (no chart library, no build step); they
scale with the page (``viewBox``) and are styled by ``static/csms.css``.

    line_chart([Series("kW", points, axis="left"), Series("kWh", points, axis="right")],
               x_ticks=[(0, "10:00"), (600, "10:10")])
    bar_chart([Bar("1 Nov", 12.5, "12.50 kWh"), ...])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

_W, _H = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 56, 16, 28


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]  # (x, y), x increasing
    axis: Literal["left", "right"] = "left"
    css: str = "s1"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    title: str  # shown on hover


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _num(value: float) -> str:
    if value >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}".rstrip("0")


def line_chart(
    series: Sequence[Series],
    *,
    x_ticks: Sequence[tuple[float, str]] = (),
    title: str = "",
    empty: str = "",
) -> Markup:
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    xs = [x for s in series for x, _ in s.points]
    parts = [
        f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(title)}">'
    ]
    if not xs:
        parts.append(f'<text class="empty" x="{_W / 2}" y="{_H / 2}">{escape(empty)}</text></svg>')
        return Markup("".join(parts))
    x0, x1 = min(xs), max(xs)
    span = (x1 - x0) or 1.0
    tops = {
        axis: _nice_max(max((y for s in series if s.axis == axis for _, y in s.points), default=0))
        for axis in ("left", "right")
    }
    for i in range(5):
        y = _TOP + plot_h * i / 4
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        for axis, tx, anchor in (("left", _LEFT - 6, "end"), ("right", _W - _RIGHT + 6, "start")):
            if any(s.axis == axis for s in series):
                label = _num(tops[axis] * (4 - i) / 4)
                parts.append(
                    f'<text class="tick {axis}" x="{tx}" y="{y + 4:.1f}" text-anchor="{anchor}">{label}</text>'
                )
    for x, label in x_ticks:
        px = _LEFT + plot_w * (x - x0) / span
        parts.append(
            f'<text class="tick" x="{px:.1f}" y="{_H - 8}" text-anchor="middle">{escape(label)}</text>'
        )
    for s in series:
        top = tops[s.axis]
        coords = " ".join(
            f"{_LEFT + plot_w * (x - x0) / span:.1f},{_TOP + plot_h * (1 - y / top):.1f}"
            for x, y in s.points
        )
        parts.append(
            f'<polyline class="line {s.css}" points="{coords}"><title>{escape(s.name)}</title></polyline>'
        )
    legend_x: float = _LEFT
    for s in series:
        parts.append(
            f'<rect class="key {s.css}" x="{legend_x}" y="2" width="10" height="10"/>'
            f'<text class="legend" x="{legend_x + 14}" y="11">{escape(s.name)}</text>'
        )
        legend_x += 16 + 8 * len(s.name) + 12
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: Sequence[Bar], *, title: str = "", label_every: int = 5) -> Markup:
    plot_w, plot_h = _W - _LEFT - 12, _H - _TOP - _BOTTOM
    top = _nice_max(max((b.value for b in bars), default=0))
    parts = [f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(title)}">']
    for i in range(5):
        y = _TOP + plot_h * i / 4
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_W - 12}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_num(top * (4 - i) / 4)}</text>'
        )
    slot = plot_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top
        x = _LEFT + slot * i + slot * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{_TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}"><title>{escape(bar.label)}: {escape(bar.title)}</title></rect>'
        )
        if i % label_every == 0 or i == len(bars) - 1:
            parts.append(
                f'<text class="tick" x="{x + slot * 0.35:.1f}" y="{_H - 8}" text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
