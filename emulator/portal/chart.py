"""The loss chart of a fine-tuning job, drawn on the server as SVG from the job's `results.csv`.

Training loss is drawn for every step; validation loss where the file has it (a job with a validation
file). Long jobs are thinned to at most MAX_POINTS points per line, so the page stays small whatever
the number of steps.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from html import escape

MAX_POINTS = 400
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 30, 40
TRAIN_COLOUR = "#1f5fbf"
VALID_COLOUR = "#b5470b"


@dataclass(frozen=True)
class LossSeries:
    """(step, loss) pairs read from results.csv."""

    train: list[tuple[float, float]]
    valid: list[tuple[float, float]]


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_results(text: str) -> LossSeries:
    """The losses of a results.csv; rows without a step or loss are left out."""
    train: list[tuple[float, float]] = []
    valid: list[tuple[float, float]] = []
    for row in csv.DictReader(io.StringIO(text)):
        step = _number(row.get("step"))
        if step is None:
            continue
        loss = _number(row.get("train_loss"))
        if loss is not None:
            train.append((step, loss))
        checked = _number(row.get("valid_loss"))
        if checked is not None:
            valid.append((step, checked))
    return LossSeries(train, valid)


def _thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(points) <= MAX_POINTS:
        return points
    stride = math.ceil(len(points) / MAX_POINTS)
    kept = points[::stride]
    return kept if kept[-1] == points[-1] else [*kept, points[-1]]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def loss_chart(series: LossSeries) -> str:
    """An accessible SVG (role img, named "Training loss") of the losses, or "" when there are none."""
    if not series.train:
        return ""
    lines = [("Training loss", TRAIN_COLOUR, _thin(series.train))]
    if series.valid:
        lines.append(("Validation loss", VALID_COLOUR, _thin(series.valid)))
    every = [point for _, _, points in lines for point in points]
    first_step, last_step = min(p[0] for p in every), max(p[0] for p in every)
    lowest, highest = min(0.0, *(p[1] for p in every)), max(p[1] for p in every)
    if highest <= lowest:
        highest = lowest + 1.0
    span_x = max(last_step - first_step, 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(step: float) -> float:
        return LEFT + (step - first_step) / span_x * plot_w

    def y(loss: float) -> float:
        return TOP + (highest - loss) / (highest - lowest) * plot_h

    final = series.train[-1]
    summary = f"Training loss from {series.train[0][1]:.3f} at step {series.train[0][0]:g} to {final[1]:.3f} at step {final[0]:g}"
    if series.valid:
        summary += f"; validation loss {series.valid[-1][1]:.3f} at step {series.valid[-1][0]:g}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="loss-title loss-desc" class="chart">',
        '<title id="loss-title">Training loss</title>',
        f'<desc id="loss-desc">{escape(summary)}.</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>',
    ]
    for value in _ticks(lowest, highest):
        ty = y(value)
        parts.append(
            f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11">{value:.2f}</text>'
        )
    for value in _ticks(first_step, last_step):
        tx = x(value)
        parts.append(
            f'<text x="{tx:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11">{value:.0f}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="12">step</text>'
    )
    for index, (name, colour, points) in enumerate(lines):
        coords = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
        parts.append(
            f'<polyline class="series" data-series="{escape(name)}" fill="none" stroke="{colour}" '
            f'stroke-width="2" points="{coords}"/>'
        )
        legend_x = LEFT + index * 150
        parts.append(
            f'<line x1="{legend_x}" y1="12" x2="{legend_x + 20}" y2="12" stroke="{colour}" '
            f'stroke-width="3"/><text x="{legend_x + 26}" y="16" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
