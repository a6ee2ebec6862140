"""The table :func:`geo.compare` returns: raw numbers in its cells, rounded text when shown.

A :class:`Comparison` is a pandas DataFrame (one row per metric: ``metric``, the two
groups, ``difference``, ``test``, ``p_value``, ``note``) whose cells keep the exact values
(``table.loc[0, "west"]``, ``pd.DataFrame(table)`` or ``table.to_string()`` show them
unrounded). What a person reads is rounded to what each number means: counts as integers,
shares as percentages (differences in percentage points), kilometres, rates and means to
one decimal, p-values to three significant digits or "< 0.001", nothing shown as ``nan``.
A weapon or target mix gets one row per category under its test, the owner countries
one row per country. That text is what
``print(table)`` (at the terminal's width, notes as numbered footnotes),
``rich.print(table)``, Jupyter (``_repr_html_``), :meth:`Comparison.to_markdown` and
:meth:`Comparison.formatted` give.

Each row's unit is in ``table.attrs["units"]`` (metric -> count, share, rate, mean, km or
text) and the rows shown under a mix or the owner countries in ``table.attrs["breakdowns"]``
(metric -> (unit, [(category, value a, value b), ...])), so a filtered table
(``table[table["p_value"] < 0.05]``) still prints rounded.

Example:
    >>> t = Comparison.build([{"metric": "incidents", "west": 45, "east": 50, "difference": -5,
    ...                        "test": None, "p_value": None, "note": ""}], ("west", "east"), {"incidents": "count"})
    >>> t.formatted().iloc[0].tolist()
    ['incidents', '45', '50', '-5', '', '', '']
"""

from __future__ import annotations

import html
import io
import math
import shutil

import numpy as np
import pandas as pd

from incidents.schema import words

__all__ = ["Comparison", "format_value", "format_p"]

def format_value(value, unit: str, signed: bool = False) -> str:
    """``value`` as text for its ``unit`` (count, share, rate, mean, km, text); ``signed``
    for a difference (shares then in percentage points). Missing -> "".

    Example:
        >>> format_value(0.15, "share"), format_value(-0.35, "share", signed=True), format_value(680.0738, "km")
        ('15%', '-35 pp', '680.1')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "text" or isinstance(value, str) or not isinstance(value, (int, float, np.number)):
        return str(value)
    scale, decimals, suffix = {"count": (1, 0, ""), "share": (100, 0, "%")}.get(unit, (1, 1, ""))
    number = round(float(value) * scale, decimals) + 0.0  # + 0.0: -0.0 prints as 0
    if signed:
        text = f"{number:+,.{decimals}f}" if number else f"{0:.{decimals}f}"
        return text + (" pp" if unit == "share" else "")
    return f"{number:,.{decimals}f}{suffix}"


def format_p(p) -> str:
    """A p-value to 3 significant digits, "< 0.001" below that, "" when no test was run.

    Example:
        >>> format_p(0.0159214), format_p(8.2e-08), format_p(None)
        ('0.0159', '< 0.001', '')
    """
    if p is None or p is pd.NA or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:#.3g}"


class Comparison(pd.DataFrame):
    """A :func:`geo.compare` result: a DataFrame of raw values that shows itself rounded."""

    @property
    def _constructor(self):
        return Comparison

    @classmethod
    def build(cls, rows: list[dict], groups: tuple[str, str], units: dict[str, str],
              breakdowns: dict | None = None, scheme: str | None = None) -> Comparison:
        """The table of ``rows`` (dicts keyed by metric, the two groups, difference, test,
        p_value and note);
        ``units`` maps metric -> unit, ``breakdowns`` metric -> (unit, [(category, a, b)])
        for the rows shown under a metric (a mix's categories, the owner countries)."""
        a, b = groups
        table = cls(rows, columns=["metric", a, b, "difference", "test", "p_value", "note"])
        table.attrs.update(groups=[a, b], units=dict(units), breakdowns=dict(breakdowns or {}))
        if scheme is not None:
            table.attrs["scheme"] = scheme
        return table

    # ---- what a person reads ------------------------------------------------------------

    def _shown(self) -> bool:
        groups = self.attrs.get("groups") or []
        return len(groups) == 2 and {"metric", *groups} <= set(self.columns)

    def formatted(self) -> pd.DataFrame:
        """The display text as a plain DataFrame of strings (mix categories on their own
        rows, labelled "· category"): style it, or write it with any pandas writer."""
        a, b = self.attrs["groups"]
        units, breakdowns = self.attrs.get("units", {}), self.attrs.get("breakdowns", {})
        rows = []
        for record in self.to_dict("records"):
            metric = str(record["metric"])
            unit = units.get(metric, "text")
            sub_unit, sub_rows = breakdowns.get(metric, ("text", []))
            # A mix shows on its categories' rows below; its own row keeps the test.
            values = ("", "", "") if sub_rows else (format_value(record[a], unit), format_value(record[b], unit),
                                                    format_value(record.get("difference"), unit, signed=True))
            rows.append([metric, *values, format_value(record.get("test"), "text"),
                         format_p(record.get("p_value")), format_value(record.get("note"), "text")])
            for category, value_a, value_b in sub_rows:
                rows.append([f"· {words(category)}", format_value(value_a, sub_unit), format_value(value_b, sub_unit),
                             format_value(value_a - value_b, sub_unit, signed=True), "", "", ""])
        return pd.DataFrame(rows, columns=["metric", a, b, "difference", "test", "p-value", "note"])

    def _title(self) -> str:
        a, b = self.attrs["groups"]
        scheme = self.attrs.get("scheme")
        return f"{a} vs {b}" + (f" ({scheme} scheme)" if scheme else "") + f"; difference = {a} - {b}"

    def __rich_console__(self, console, options):
        """A rich table (notes as numbered footnotes under it): ``rich.print(table)``. Below
        100 columns the test's name moves into the row's footnote to leave the numbers room."""
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if not self._shown():
            yield Text(pd.DataFrame.__repr__(self))
            return
        shown = self.formatted()
        with_test = options.max_width >= 100
        table = Table(title=Text(self._title()), box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        table.add_column("metric", min_width=20)
        for name in shown.columns[1:3]:
            table.add_column(name, justify="right")
        table.add_column("difference", justify="right", no_wrap=True)
        table.add_column("p-value", justify="right", no_wrap=True)
        if with_test:
            table.add_column("test", no_wrap=True)
        notes: dict[str, int] = {}
        for row in shown.itertuples(index=False):
            metric = Text(row.metric)
            note = row.note if with_test else "; ".join(t for t in (row.test, row.note) if t)
            if note:
                number = notes.setdefault(note, len(notes) + 1)
                metric.append(f" [{number}]", style="dim")
            table.add_row(metric, *(Text(v) for v in row[1:4]), Text(row[5]), *([Text(row[4])] if with_test else []))
        yield table
        for note, number in notes.items():
            yield Text(f"[{number}] {note}", style="dim")

    def to_text(self, width: int | None = None) -> str:
        """The printed form at ``width`` columns (default: the terminal's), without colour."""
        from rich.console import Console

        width = width or shutil.get_terminal_size((80, 24)).columns
        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False,
                emoji=False, highlight=False).print(self)
        return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())

    def __repr__(self) -> str:
        return self.to_text() if self._shown() else super().__repr__()

    def _repr_html_(self) -> str | None:
        if not self._shown():
            return super()._repr_html_()
        shown = self.formatted()
        right = {1, 2, 3, 5}

        def cells(tag, values, sub=False):
            return "".join(
                f'<{tag} style="text-align:{"right" if i in right else "left"}'
                f'{";padding-left:1.5em" if sub and i == 0 else ""}">{html.escape(str(v))}</{tag}>'
                for i, v in enumerate(values))

        head = f"<tr>{cells('th', shown.columns)}</tr>"
        body = "".join(f"<tr>{cells('td', row, row[0].startswith('· '))}</tr>" for row in shown.itertuples(index=False))
        return (f'<table class="geo-comparison"><caption style="text-align:left">{html.escape(self._title())}'
                f"</caption><thead>{head}</thead><tbody>{body}</tbody></table>")

    def to_markdown(self, buf=None, **kwargs) -> str | None:
        """A Markdown (pipe) table of the display text, notes in their own column; written
        to ``buf`` (a path or file object) when given, else returned."""
        if not self._shown():
            return super().to_markdown(buf, **kwargs)
        shown = self.formatted()
        right = {1, 2, 3, 5}
        lines = ["| " + " | ".join(shown.columns) + " |",
                 "| " + " | ".join("---:" if i in right else "---" for i in range(len(shown.columns))) + " |"]
        lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
                  for row in shown.itertuples(index=False)]
        text = "\n".join(lines) + "\n"
        if buf is None:
            return text
        if hasattr(buf, "write"):
            buf.write(text)
        else:
            with open(buf, "w", encoding="utf-8") as handle:
                handle.write(text)
        return None
