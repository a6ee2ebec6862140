"""Display text for comparing two groups, shared by the report and the comparison map's
panel: the ``geo.compare`` table (p-values to 3 decimals, shares as percentages,
differences of shares in percentage points, dates as days) and the headline figures.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"metric": ["share on foreign-owned sites"], "west": [0.2143],
    ...                   "east": [0.2857], "difference": [-0.0714], "p_value": [1.0]})
    >>> display_table(t, ("west", "east"))["rows"]
    [['share on foreign-owned sites', '21%', '29%', '-7 pp', '1.000']]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo.comparison import format_p
from incidents.schema import words
from maps.safety import escape


def day(value) -> str:
    """``YYYY-MM-DD`` of a timestamp ('' when missing)."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def format_cell(value) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"
    if isinstance(value, pd.Timestamp):
        return day(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_cell(v) for v in value)
    return str(value)


def format_share(value, difference: bool) -> str:
    if not isinstance(value, (int, float, np.number)) or pd.isna(value):
        return format_cell(value)
    return f"{100 * value:+.0f} pp" if difference else f"{100 * value:.0f}%"


def display_table(table: pd.DataFrame, groups) -> dict:
    """The table as ``columns`` + ``rows`` of display strings (+ which columns are numeric)."""
    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    columns = [str(c) for c in frame.columns]
    p_columns = {"p_value"} & set(columns)
    rows = []
    for record in frame.itertuples(index=False):
        share = str(record[0]).startswith("share")
        # Mixes list category codes ("cruise_missile 21%"): shown in words, as in the charts.
        mix = str(record[0]).endswith("mix")
        row = [format_p(v) or "—" if c in p_columns  # the terminal's rule; a dash where no test ran
               else format_share(v, c == "difference") if share and (c in groups or c == "difference")
               else words(format_cell(v)) if mix and c in groups
               else format_cell(v) for c, v in zip(columns, record)]
        row[0] = words(row[0])
        rows.append(row)
    return {"columns": [words(c) for c in columns], "rows": rows,
            "numeric": [c in p_columns for c in columns]}


def table_html(table: pd.DataFrame, groups) -> str:
    """The table as an escaped HTML ``<table>``."""
    shown = display_table(table, groups)
    head = "".join(f"<th>{escape(c)}</th>" for c in shown["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in shown["rows"])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def group_figures(gdf: pd.DataFrame, groups, masks, depth: np.ndarray) -> list[dict]:
    """Headline figures per group: incidents, foreign-owned share (of the rows where
    ownership is known) and median depth from the Russian border (of the rows with one)."""
    owned = gdf["foreign_owned"] if "foreign_owned" in gdf else pd.Series(pd.NA, index=gdf.index)
    figures = []
    for name, mask in zip(groups, masks):
        known = owned[mask].dropna()
        d = depth[mask]
        d = d[~np.isnan(d)]
        figures.append({
            "group": name, "incidents": int(mask.sum()),
            "foreign_share": "unknown" if known.empty else f"{100 * known.astype(bool).mean():.0f}%",
            "ownership_known": len(known),
            "foreign_count": int(owned[mask].fillna(False).astype(bool).sum()),
            "median_depth": "unknown" if d.size == 0 else f"{np.median(d):,.0f} km",
            "with_depth": int(d.size),
        })
    return figures
