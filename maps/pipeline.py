"""The whole job in one call: geocode what lacks coordinates, tag owners, assign regions.

The command line and the scripts share this so that every entry point runs the same
steps in the same order and reports the same summary.

Example:
    >>> import incidents, maps
    >>> gdf, summary = maps.prepare(incidents.sample())
    >>> summary.rows_in == len(gdf)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd

import geo
import incidents


@dataclass
class Summary:
    """What the pipeline did: the counts the command line prints."""

    rows_in: int = 0
    #: Fully blank rows the loader skipped, and what it says it read how (columns,
    #: encoding, delimiter, sheet, reprojection, misspelt oblasts).
    blank: int = 0
    read: list[str] = field(default_factory=list)
    rejected: int = 0
    already_located: int = 0
    geocoded: int = 0
    unresolved: list[str] = field(default_factory=list)
    #: Places an online geocoder failed on (service errors), and of those the ones never
    #: asked because the service was unreachable; ``unreachable``: why, when it was.
    failed: int = 0
    not_tried: int = 0
    unreachable: str | None = None
    tagged_foreign: int = 0
    ambiguous_owner: int = 0
    outside_ukraine: int = 0

    def read_lines(self) -> list[str]:
        """What the loader read how, one line each."""
        return [f"read: {note}" for note in self.read]

    def lines(self) -> list[str]:
        """Short human-readable lines."""
        out = [*self.read_lines(), f"rows in: {self.rows_in}", f"rejected: {self.rejected}",
               f"already had coordinates: {self.already_located}", f"geocoded: {self.geocoded}",
               f"unresolved: {len(self.unresolved)}" + (f" ({', '.join(self.unresolved[:10])}"
                                                        f"{' ...' if len(self.unresolved) > 10 else ''})"
                                                        if self.unresolved else ""),
               f"tagged foreign-owned: {self.tagged_foreign}"]
        if self.unreachable:
            out.append(f"geocoder unreachable: {self.not_tried} place{'s' if self.not_tried != 1 else ''} not tried "
                       f"({self.unreachable})")
        if self.failed > self.not_tried:
            out.append(f"geocoder failed: {self.failed - self.not_tried} place"
                       f"{'s' if self.failed - self.not_tried != 1 else ''} (see geocode_error)")
        if self.ambiguous_owner:
            out.append(f"ambiguous owner (two candidates, left for review): {self.ambiguous_owner}")
        if self.outside_ukraine:
            out.append(f"outside Ukraine (kept, flagged): {self.outside_ukraine}")
        return out


def prepare(
    gdf: gpd.GeoDataFrame,
    geocoder: object = "offline",
    user_agent: str | None = None,
    registry: incidents.OwnershipRegistry | None = None,
    scheme: str = "macro",
    rejected: int = 0,
    progress: Callable[[str], object] | None = None,
) -> tuple[gpd.GeoDataFrame, Summary]:
    """Geocode rows without geometry, tag ownership and assign regions.

    ``progress`` is an optional callable ``progress(step_name)`` called before each step
    (the command line passes a progress bar's advance). Rows are never dropped: a row
    that cannot be geocoded stays, flagged, and is named in the summary.
    """
    step = progress or (lambda name: None)
    summary = Summary(rows_in=len(gdf) + rejected, rejected=rejected)
    summary.already_located = int(gdf.geometry.notna().sum())
    step("geocode")
    if (gdf.geometry.isna()).any():
        gdf = geo.geocode(gdf, geocoder=geocoder, user_agent=user_agent)
        info = gdf.attrs.get("geocode_summary", {})
        summary.geocoded = int(info.get("geocoded", 0))
        summary.unresolved = [str(i) for i in info.get("unresolved_ids", [])]
        summary.failed, summary.not_tried = int(info.get("failed", 0)), int(info.get("not_tried", 0))
        summary.unreachable = info.get("unreachable")
    step("tag owners")
    gdf = incidents.tag_ownership(gdf, registry=registry)
    summary.tagged_foreign = int(gdf["foreign_owned"].fillna(False).astype(bool).sum())
    if "ownership_evidence" in gdf:
        summary.ambiguous_owner = int((gdf["ownership_evidence"] == "ambiguous").sum())
    step("assign regions")
    gdf = geo.assign_regions(gdf, scheme=scheme)
    if "region_flag" in gdf:
        summary.outside_ukraine = int((gdf["region_flag"] == "outside_ukraine").sum())
    return gdf, summary
