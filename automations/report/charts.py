"""The report's charts: matplotlib with the Agg backend, French labels, PNG at print resolution.

Each function takes plain figures (tuples from ``report.figures``: hashable, so a chart
drawn once for given figures is not drawn again) and returns PNG bytes drawn at
the size they are printed (``WIDTH_CM`` wide), so that 9-point labels stay 9 points on
paper. No pyplot: each chart is a ``Figure`` on its own Agg canvas, so nothing global is
touched and nothing needs closing. The text font is Carlito (Calibri's metric twin, the
font of the report's titles and tables) when it is installed, else DejaVu Sans.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib: no display, no GUI toolkit

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import fontManager  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ..formatting import MONTHS_SHORT, format_number  # noqa: E402

WIDTH_CM = 16.0
DPI = 300
INCH = 2.54

NAVY = "#1F3A5F"
INK = "#222222"
GRID = "#D5DBE3"
PALETTE = ("#1F3A5F", "#3D8A8A", "#D99A3D", "#8C9BAD", "#B5575B", "#6B4C7A")
CATEGORY_LABELS = {
    "hébergé": "Membres hébergés",
    "bénéficiaire": "Membres bénéficiaires",
    "membre de droit": "Membres de droit",
}


@lru_cache(maxsize=1)
def font_family() -> str:
    names = {f.name for f in fontManager.ttflist}
    for family in ("Carlito", "Calibri", "DejaVu Sans"):
        if family in names:
            return family
    return "sans-serif"


def _figure(height_cm: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_CM / INCH, height_cm / INCH), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#8C9BAD")
    ax.tick_params(colors=INK, labelsize=9, length=3, width=0.6)
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _style() -> AbstractContextManager[None]:
    """The charts' fonts and lines, for the time of one chart."""
    return matplotlib.rc_context(
        {
            "font.family": font_family(),
            "font.size": 9,
            "axes.edgecolor": "#8C9BAD",
            "axes.linewidth": 0.6,
            "svg.fonttype": "none",
        }
    )


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=DPI,
        metadata={"Software": None},
        facecolor="white",
        bbox_inches="tight",
        pad_inches=0.04,
    )
    return buffer.getvalue()


def _integers(ax: Axes) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(int(v))))


def _legend_below(ax: Axes, columns: int) -> None:
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=columns,
        frameon=False,
        fontsize=8.5,
        handlelength=1.2,
        columnspacing=1.4,
    )


@lru_cache(maxsize=8)
def members_chart(
    history: Sequence[tuple[int, Sequence[tuple[str, int]]]], *, partial_label: str | None = None
) -> bytes:
    """Stacked bars: members per category on 31 December of each year, total on top.
    ``partial_label`` replaces the last year's label (``2026 (au 23/11)``)."""
    with _style():
        fig, ax = _figure(6.6)
        years = [str(y) for y, _ in history]
        if partial_label and years:
            years[-1] = partial_label
        categories = [c for c, _ in history[0][1]] if history else []
        bottoms = [0] * len(history)
        for n, category in enumerate(categories):
            values = [dict(counts)[category] for _, counts in history]
            if not any(values):
                continue
            bars = ax.bar(
                years,
                values,
                bottom=bottoms,
                width=0.56,
                color=PALETTE[n],
                label=CATEGORY_LABELS.get(category, category),
                edgecolor="white",
                linewidth=0.6,
            )
            for bar, value, bottom in zip(bars, values, bottoms, strict=True):
                if value and value >= 0.09 * max(1, max(t for t in _totals(history))):
                    ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        bottom + value / 2,
                        format_number(value),
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        color="white",
                        fontweight="bold",
                    )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        for x, total in zip(years, bottoms, strict=True):
            ax.annotate(
                format_number(total),
                (x, total),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold",
                color=NAVY,
            )
        ax.set_ylabel("Adhérent·es au 31 décembre", fontsize=9, color=INK)
        ax.set_ylim(0, max(bottoms or [1]) * 1.15 + 1)
        _integers(ax)
        _legend_below(ax, 3)
        return _png(fig)


def _totals(history: Sequence[tuple[int, Sequence[tuple[str, int]]]]) -> list[int]:
    return [sum(v for _, v in counts) for _, counts in history] or [0]


@lru_cache(maxsize=8)
def events_chart(per_month: Sequence[tuple[str, Sequence[int]]]) -> bytes:
    """Stacked bars: events of each month, by family."""
    with _style():
        fig, ax = _figure(6.8)
        bottoms = [0] * 12
        for n, (family, counts) in enumerate(per_month):
            if not any(counts):
                continue
            ax.bar(
                MONTHS_SHORT,
                counts,
                bottom=bottoms,
                width=0.66,
                color=PALETTE[n],
                label=family,
                edgecolor="white",
                linewidth=0.6,
            )
            bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
        for x, total in zip(MONTHS_SHORT, bottoms, strict=True):
            if total:
                ax.annotate(
                    format_number(total),
                    (x, total),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    color=NAVY,
                    fontweight="bold",
                )
        ax.set_ylabel("Événements", fontsize=9, color=INK)
        ax.set_ylim(0, max(bottoms) * 1.18 + 1)
        _integers(ax)
        _legend_below(ax, 3)
        return _png(fig)


@lru_cache(maxsize=8)
def occupancy_chart(series: Sequence[tuple[str, Sequence[Decimal]]]) -> bytes:
    """Lines: occupancy rate of each bookable resource, month by month, in percent."""
    with _style():
        fig, ax = _figure(6.4)
        top = 0.0
        for n, (name, rates) in enumerate(series):
            values = [float(r) * 100 for r in rates]
            top = max(top, *values)
            ax.plot(
                MONTHS_SHORT,
                values,
                marker="o",
                markersize=3.5,
                linewidth=1.6,
                color=PALETTE[n % len(PALETTE)],
                label=name,
            )
        ax.set_ylim(0, min(100, max(10.0, top * 1.2)))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{format_number(round(v))}\u00a0%"))
        ax.set_ylabel("Taux d'occupation", fontsize=9, color=INK)
        _legend_below(ax, min(3, max(1, len(series))))
        return _png(fig)
