"""Rendering: folium map builders, layers, embedding, self-contained export, reports."""

from maps.builders import CompareMap, compare_map, incident_map
from maps.output import embed, save, to_png
