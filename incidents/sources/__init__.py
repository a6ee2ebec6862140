"""Importers for third-party event datasets, one module per source.

Each importer is a small :class:`~incidents.sources.base.Importer` that recognises its
export by column names and maps it to incident columns; validation then runs as for any
file. ACLED and UCDP cite source *names*, not URLs: they are kept in ``source_text``.
Dates stay text here; validation parses them, using each source's documented day/month
order (``Importer.dayfirst``) for a column no value settles.
"""

from __future__ import annotations

from typing import Iterable

from incidents.sources.acled import AcledImporter
from incidents.sources.base import Importer
from incidents.sources.firms import FirmsImporter
from incidents.sources.missile_attacks import MissileAttacksImporter
from incidents.sources.ucdp import UcdpImporter

IMPORTERS: tuple[Importer, ...] = (AcledImporter(), UcdpImporter(), MissileAttacksImporter(), FirmsImporter())


def detect(columns: Iterable[str]) -> Importer | None:
    """The importer whose signature columns are all present, or None for our own layout."""
    present = {str(c).strip().lower() for c in columns}
    return next((imp for imp in IMPORTERS if imp.signature <= present), None)


__all__ = ["IMPORTERS", "Importer", "AcledImporter", "UcdpImporter", "MissileAttacksImporter", "FirmsImporter", "detect"]
