"""Static charts for the comparison report, drawn with matplotlib as inline SVG.

Charts use matplotlib's object API (``Figure``; no pyplot, no GUI backend, no global
state), draw text as vector paths (so the SVG needs no fonts and prints the same
everywhere) and turn mathtext off (so a ``$`` in a data label is shown, not parsed).
Each SVG's element ids are prefixed with the chart's name, so several charts inlined in
one HTML page never share an id.

Two groups are told apart by colour (Okabe-Ito blue/vermillion, distinguishable with
colour-blindness) and, for printing in black and white, by hatching of the second group.

Example:
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"west": [3, 1], "east": [2, 5]}, index=["drone", "missile"])
    >>> svg = grouped_bars(counts, "Weapon mix", "incidents", name="weapons")
    >>> svg.startswith("<svg") and 'id="weapons-' in svg
    True
"""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from incidents.schema import words

#: Colours of the first and second group; further groups cycle through the rest.
GROUP_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
GROUP_HATCHES = ("", "///", "...", "xx", "\\\\", "++")
#: Inches; 6.7 in is the text width of an A4 page with 15 mm margins.
WIDTH_IN = 6.7
RC = {
    "svg.fonttype": "path",      # text as outlines: no font needed to view or print
    "svg.hashsalt": "incident-mapper",  # stable ids, so the same data gives the same SVG
    "text.parse_math": False,    # "$" in labels is literal text
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
}
OTHER = "other"

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_ID_ATTR = re.compile(r'\bid="([^"]+)"')


def group_style(k: int) -> dict:
    """Colour and hatch of the k-th group (bar/patch keyword arguments)."""
    return {"color": GROUP_COLORS[k % len(GROUP_COLORS)],
            "hatch": GROUP_HATCHES[k % len(GROUP_HATCHES)], "edgecolor": "white"}


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element for inlining in HTML (ids prefixed by ``name``).

    >>> fig = Figure(figsize=(2, 1)); _ = fig.add_subplot().plot([1, 2])
    >>> to_svg(fig, "demo")[:4]
    '<svg'
    """
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = _XML_PROLOGUE.sub("", buffer.getvalue(), count=1)
    ids = set(_ID_ATTR.findall(text))
    if ids:
        # Rewrite both the definitions and every reference (#id, url(#id)) in one pass.
        pattern = re.compile(r'(\bid="|#)(' + "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
                             + r')(?=["\)])')
        text = pattern.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text)
    return text


def _figure(height_in: float) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def monthly_counts(series: pd.DataFrame, title: str | None = None, name: str = "monthly") -> str:
    """Bars of incidents per month, one bar per group side by side.

    ``series``: index = months (Timestamps or Periods), one column of counts per group.
    """
    months = pd.PeriodIndex(series.index, freq="M") if not isinstance(series.index, pd.PeriodIndex) \
        else series.index
    full = pd.period_range(months.min(), months.max(), freq="M") if len(months) else months
    series = series.set_axis(months).groupby(level=0).sum().reindex(full, fill_value=0)
    with matplotlib.rc_context(RC):
        fig = _figure(2.8)
        ax = fig.add_subplot()
        x = np.arange(len(series))
        width = 0.8 / max(1, series.shape[1])
        for k, group in enumerate(series.columns):
            ax.bar(x + (k - (series.shape[1] - 1) / 2) * width, series[group].to_numpy(dtype=float),
                   width, label=str(group), **group_style(k))
        ticks = [i for i, p in enumerate(series.index) if p.month in (1, 7)] or list(x[:1])
        ax.set_xticks(ticks, [f"{series.index[i].strftime('%b %Y')}" for i in ticks])
        ax.set_ylabel("incidents")
        ax.yaxis.get_major_locator().set_params(integer=True)
        if title:  # None when the page gives the chart a text heading
            ax.set_title(title, loc="left")
        ax.legend(frameon=False)
        return to_svg(fig, name)


def category_counts(frame: pd.DataFrame, column: str, group_column: str, groups, top: int = 8,
                    unknown: str = "unknown") -> pd.DataFrame:
    """Counts of ``column`` values per group: rows = the ``top`` most common values
    (the rest summed as ``other``; empty values as ``unknown``), columns = ``groups``.

    >>> f = pd.DataFrame({"g": ["a", "a", "b"], "w": ["drone", None, "drone"]})
    >>> category_counts(f, "w", "g", ["a", "b"]).to_dict()
    {'a': {'drone': 1, 'unknown': 1}, 'b': {'drone': 1, 'unknown': 0}}
    """
    values = frame[column].astype("object").where(frame[column].notna(), unknown).astype(str)
    table = pd.crosstab(values, frame[group_column].astype(str)).reindex(columns=list(groups), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    if len(table) > top:
        table = pd.concat([table.iloc[:top], table.iloc[top:].sum().to_frame(OTHER).T])
    table.index.name = column
    table.columns.name = None
    return table.astype(int)


def grouped_bars(counts: pd.DataFrame, title: str | None, xlabel: str, name: str) -> str:
    """Horizontal grouped bars: one row per category, one bar per group (column)."""
    n_rows, n_groups = counts.shape
    with matplotlib.rc_context(RC):
        fig = _figure(0.9 + 0.32 * n_rows * max(1, n_groups) ** 0.5)
        ax = fig.add_subplot()
        y = np.arange(n_rows)
        height = 0.8 / max(1, n_groups)
        for k, group in enumerate(counts.columns):
            values = counts[group].to_numpy(dtype=float)
            bars = ax.barh(y + (k - (n_groups - 1) / 2) * height, values, height,
                           label=f"{group} (n={int(values.sum())})", **group_style(k))
            ax.bar_label(bars, labels=[f"{v:.0f}" if v else "" for v in values], padding=2, fontsize=7)
        ax.set_yticks(y, [words(v) for v in counts.index])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if title:  # None when the page gives the chart a text heading
            ax.set_title(title, loc="left")
        ax.legend(frameon=False, loc="lower right")
        return to_svg(fig, name)


def distributions(values: dict[str, np.ndarray], title: str | None, xlabel: str, name: str) -> str:
    """One box plot per group with every value drawn as a point (small samples stay visible).

    ``values``: group -> numbers (NaN ignored). Points are jittered vertically with a
    fixed seed, so the same data draws the same chart.
    """
    groups = list(values)
    clean = [np.asarray(values[g], dtype=float) for g in groups]
    clean = [v[~np.isnan(v)] for v in clean]
    rng = np.random.default_rng(0)
    with matplotlib.rc_context(RC):
        fig = _figure(0.9 + 0.6 * len(groups))
        ax = fig.add_subplot()
        positions = np.arange(len(groups))
        drawable = [i for i, v in enumerate(clean) if len(v)]
        if drawable:
            ax.boxplot([clean[i] for i in drawable], positions=positions[drawable], orientation="horizontal",
                       widths=0.5, showfliers=False, medianprops={"color": "black", "linewidth": 1.5})
        for k, v in enumerate(clean):
            style = group_style(k)
            ax.scatter(v, k + rng.uniform(-0.18, 0.18, len(v)), s=14, color=style["color"], alpha=0.8,
                       edgecolor="white", linewidth=0.4, zorder=3)
        ax.set_yticks(positions, [f"{g} (n={len(v)})" for g, v in zip(groups, clean)])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_xlim(left=0)
        if title:  # None when the page gives the chart a text heading
            ax.set_title(title, loc="left")
        return to_svg(fig, name)
