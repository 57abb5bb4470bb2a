"""Brief charts with matplotlib (Agg): PNG bytes, embedded as data URIs.

The CJK font is chosen explicitly by family name; matplotlib's cached font list may predate
the fonts being installed, so known font files are added to it when the family is missing.
Every figure is closed after saving.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager

from salespulse.briefs.i18n import Locale

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)
_FONT_FILES = ("wqy-microhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansSC-Regular.otf", "wqy-zenhei.ttc")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))

PALETTE = {
    "ink": "#1f2a37",
    "muted": "#6b7280",
    "grid": "#e5e7eb",
    "primary": "#1d4ed8",
    "target": "#d97706",
    "good": "#15803d",
    "warn": "#d97706",
    "bad": "#b91c1c",
}
AXIS_CAP_PERCENT = 160
PIE_COLORS = ("#1d4ed8", "#0891b2", "#15803d", "#ca8a04", "#c2410c", "#7c3aed", "#db2777", "#64748b")


@cache
def cjk_family() -> str | None:
    """The first CJK family matplotlib can use, registering known font files if needed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for directory in _FONT_DIRS:
        root = Path(directory)
        if not root.is_dir():
            continue
        for name in _FONT_FILES:
            for path in root.rglob(name):
                font_manager.fontManager.addfont(str(path))
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    warnings.warn("no CJK font found: Chinese chart labels will render as boxes", stacklevel=2)
    return None


def _style() -> dict:
    family = cjk_family()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*([family] if family else []), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.edgecolor": PALETTE["grid"],
        "axes.labelcolor": PALETTE["ink"],
        "axes.titlesize": 10,
        "axes.titleweight": "normal",
        "axes.titlecolor": PALETTE["ink"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": PALETTE["muted"],
        "ytick.color": PALETTE["muted"],
        "axes.grid": True,
        "grid.color": PALETTE["grid"],
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "figure.dpi": 100,
    }


def _png(fig, dpi: int) -> bytes:
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _money_scale(locale: Locale) -> float:
    return 10000.0 if locale.is_zh else 1000.0


def trend_chart(
    labels: Sequence[str],
    sales: Sequence[float | None],
    targets: Sequence[float | None],
    locale: Locale,
    *,
    size: tuple[float, float] = (7.2, 2.6),
    dpi: int = 160,
) -> bytes:
    """Monthly sales as a line against the target line (the last 12 months)."""
    scale = _money_scale(locale)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=size)
        xs = range(len(labels))
        ys = [None if v is None else float(v) / scale for v in sales]
        ts = [None if v is None else float(v) / scale for v in targets]
        ax.plot(
            xs,
            [float("nan") if v is None else v for v in ys],
            color=PALETTE["primary"],
            lw=2,
            marker="o",
            ms=3.5,
            label=locale("sales_line"),
        )
        if any(v is not None for v in ts):
            ax.plot(
                xs,
                [float("nan") if v is None else v for v in ts],
                color=PALETTE["target"],
                lw=1.6,
                ls="--",
                label=locale("target_line"),
            )
        ax.set_xticks(list(xs), list(labels))
        ax.set_ylabel(locale("money_axis"))
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8)
        ax.set_title(locale("chart_trend"), loc="left")
        return _png(fig, dpi)


def completion_bars(
    names: Sequence[str],
    rates: Sequence[float | None],
    locale: Locale,
    *,
    title_key: str,
    pace: float | None = None,
    dpi: int = 160,
) -> bytes:
    """Horizontal completion-rate bars, the 100 % line and (for an open period) the time-progress line."""
    rows = [(n, r) for n, r in zip(names, rates, strict=True) if r is not None]
    rows.sort(key=lambda item: item[1])
    height = max(1.6, 0.28 * len(rows) + 0.8)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(3.6 if len(rows) < 12 else 4.2, height))
        values = [r * 100 for _, r in rows]
        colors = [
            PALETTE["good"] if v >= 100 else PALETTE["warn"] if v >= 80 else PALETTE["bad"] for v in values
        ]
        # One 500 % rep must not squeeze everyone else against the axis: bars stop at the cap
        # and carry their true value.
        cap = max(min(max([*values, 100]), AXIS_CAP_PERCENT), 100)
        ax.barh(range(len(rows)), [min(v, cap) for v in values], color=colors, height=0.62)
        ax.set_yticks(range(len(rows)), [n for n, _ in rows])
        ax.axvline(100, color=PALETTE["ink"], lw=1)
        if pace is not None and pace < 1:
            ax.axvline(pace * 100, color=PALETTE["muted"], lw=1, ls=":")
        for i, v in enumerate(values):
            # One decimal: a 99.7 % team is not at 100 %.
            label = f"{v:.1f}%" + (" »" if v > cap else "")
            ax.text(min(v, cap) + 1.5, i, label, va="center", fontsize=7, color=PALETTE["ink"])
        right = cap * 1.22
        ax.set_xlim(0, right)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.grid(axis="y", visible=False)
        ax.set_title(locale(title_key), loc="left")
        return _png(fig, dpi)


def share_pie(
    names: Sequence[str], values: Sequence[float], locale: Locale, *, title_key: str, dpi: int = 160
) -> bytes:
    """A donut of shares; slices below 3 % are folded into the last one shown as 'other'."""
    pairs = sorted(
        ((n, float(v)) for n, v in zip(names, values, strict=True) if v and float(v) > 0),
        key=lambda item: -item[1],
    )
    total = sum(v for _, v in pairs)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(3.4, 2.6))
        if not pairs:
            ax.text(0.5, 0.5, locale("none"), ha="center", va="center", transform=ax.transAxes)
            ax.axis("off")
        else:
            if len(pairs) > len(PIE_COLORS):
                head = pairs[: len(PIE_COLORS) - 1]
                other = ("…", sum(v for _, v in pairs[len(PIE_COLORS) - 1 :]))
                pairs = [*head, other]
            wedges, *_ = ax.pie(
                [v for _, v in pairs],
                colors=PIE_COLORS[: len(pairs)],
                startangle=90,
                counterclock=False,
                autopct=lambda p: f"{p:.0f}%" if p >= 4 else "",
                pctdistance=0.78,
                wedgeprops={"width": 0.42, "edgecolor": "white", "linewidth": 1.2},
                textprops={"fontsize": 7.5, "color": "white"},
            )
            ax.legend(
                wedges,
                [f"{n}  {v / total:.0%}" for n, v in pairs],
                loc="center left",
                bbox_to_anchor=(1.0, 0.5),
                fontsize=8,
            )
            ax.axis("equal")
        ax.set_title(locale(title_key), loc="left")
        return _png(fig, dpi)
