"""Rendering: folium map builders, layers, embedding, self-contained export, reports."""

from maps.builders import CompareMap, compare_map, incident_map
from maps.output import embed, save, to_png
from maps.datasources import DATA_SOURCES, DataSource
from maps.pipeline import Summary, prepare
from maps.publish import publishable
from maps.report import report  # the function; the module is importlib.import_module("maps.report")
