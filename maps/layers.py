"""folium elements of an incident map: each a small class with its own template.

Builders (``maps.builders``) compose them. Every element that runs incident-mapper JS
pulls in one shared runtime (``templates/incident_mapper.js``, ``incident_mapper_canvas.js``,
``incident_mapper_controls.js`` and ``.css``), written once per page. Data reaches the templates only as :func:`maps.safety.script_json` payloads or
as HTML already passed through :func:`maps.safety.escape`.

Controls and page furniture (legend panels, layout, credits, fit, fullscreen) are in
:mod:`maps.controls`.

Example:
    >>> from maps.layers import IncidentMap
    >>> m = IncidentMap(location=(49, 31), zoom_start=6, tiles=None)
    >>> "leaflet@1.9.3" in m.get_root().render()
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import chain
from pathlib import Path
from typing import BinaryIO

import folium
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.plugins import HeatMap
from folium.template import Template

from maps.assets import ASSETS
from maps.safety import escape, script_json, script_json_parts

TEMPLATES = Path(__file__).parent / "templates"


def _links(*names: str) -> list[tuple[str, str]]:
    return [(name, ASSETS[name].cdn_url) for name in names]


@cache
def _runtime_files() -> tuple[str, str]:
    """The runtime's JavaScript (the layer, its canvas, then its controls) and its CSS."""
    js = [(TEMPLATES / name).read_text(encoding="utf-8")
          for name in ("incident_mapper.js", "incident_mapper_canvas.js", "incident_mapper_controls.js")]
    return "\n".join(js), (TEMPLATES / "incident_mapper.css").read_text(encoding="utf-8")


class RawHTML(Element):
    """Text written to the page as is. branca's Element would compile its text as a Jinja
    template, which costs seconds for a multi-megabyte payload (and chokes on ``{#``)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class RuntimeMixin(MacroElement):
    """Adds the shared incident-mapper JS/CSS to the page header (once per page)."""

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            js, css = _runtime_files()
            figure.header.add_child(RawHTML(f"<style>{css}</style>"), name="incident_mapper_css")
            figure.header.add_child(RawHTML(f"<script>{js}</script>"), name="incident_mapper_js")
        super().render(**kwargs)


#: Where a spliced payload (:attr:`DataMixin.spliced`) sits in the rendered page.
_PAYLOAD_SLOT = re.compile(r"<!--im-payload (\w+)-->")


class DataMixin(MacroElement):
    """Puts ``self.payload_json`` in the page as a ``<script type="application/json">``
    block and defines the JS variable ``<name>_data`` from it, before the element's own
    script. JSON.parse is much faster than parsing a multi-megabyte JS literal, and the
    block bypasses template compilation (see :class:`RawHTML`)."""

    payload_json = "null"
    #: The incidents' payload can be hundreds of megabytes: rendered as a slot and spliced
    #: in as the page is written (:func:`splice_payloads`), one part at a time from
    #: ``payload_parts()`` (:func:`maps.safety.script_json_parts`), so branca's rendering
    #: and the asset inlining neither copy nor scan it, and the whole JSON text is never
    #: in memory at once (a million incidents: ~180 MB).
    spliced = False

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            name = self.get_name()
            body = self.payload_json
            if self.spliced:
                figure.im_payloads = {**getattr(figure, "im_payloads", {}), name: self.payload_parts}
                body = f"<!--im-payload {name}-->"
            # payload_json has <, > and & escaped, so it cannot end the block early.
            figure.html.add_child(
                RawHTML(f'<script type="application/json" id="{name}_data">'
                        f"{body}</script>"), name=f"{name}_data")
            figure.script.add_child(
                RawHTML(f'var {name}_data = JSON.parse('
                        f'document.getElementById("{name}_data").textContent);'),
                name=f"{name}_data")
        super().render(**kwargs)


def splice_payloads(page: str, root: Figure) -> Iterator[str]:
    """The rendered ``page`` of ``root`` as parts to write one after another, each
    spliced payload in its slot; a payload's parts are made only as they are reached.

    Data cannot fake a slot: every data string on the page is HTML-escaped or JSON with
    ``<`` escaped (:mod:`maps.safety`).
    """
    payloads = getattr(root, "im_payloads", {})
    parts = _PAYLOAD_SLOT.split(page)
    return chain.from_iterable(payloads[part]() if k % 2 else (part,) for k, part in enumerate(parts))


class SavesIncidentData:
    """``save`` as folium's, with the incident data in the page: the incident layers' data
    is spliced in when the page is written (:func:`splice_payloads`), which folium's own
    ``save`` (``get_root().render()``) does not do."""

    def save(self, outfile: "str | Path | BinaryIO", close_file: bool = True, **kwargs) -> None:
        """Write the self-contained page, as :func:`maps.save` does, to a path or a binary file."""
        from maps.output import save, write_page

        if isinstance(outfile, (str, Path)):
            save(self, outfile)
            return
        write_page(self, outfile)
        if close_file:
            outfile.close()


class IncidentMap(SavesIncidentData, folium.Map):
    """A folium.Map that loads only Leaflet (no jQuery, Bootstrap, icon fonts).

    ``_repr_html_`` gives the sandboxed iframe of :func:`maps.embed`; ``save`` writes the
    same page as :func:`maps.save`.
    """

    default_js = _links("leaflet.js")
    default_css = _links("leaflet.css")

    def _repr_html_(self, **kwargs):
        from maps.output import embed

        return embed(self)


class IncidentLayer(DataMixin, RuntimeMixin, Layer):
    """All incidents in one canvas layer drawn from a columnar payload (see maps.payload)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            IncidentMapper.incidents({{ this.get_name() }}, {{ this._parent.get_name() }},
                {{ this.get_name() }}_data, {});
        {% endmacro %}
    """)

    def __init__(self, data: dict, name: str = "Incidents", show: bool = True):
        super().__init__(name=escape(name), overlay=True, control=True, show=show)
        self._name = "IncidentLayer"
        self.data = data
        self.spliced = True

    def payload_parts(self) -> Iterator[str]:
        return script_json_parts(self.data)


class SiteLayer(DataMixin, RuntimeMixin, Layer):
    """Registered foreign sites: one circle per placed site, off at first (``show=False``).

    ``sites`` is a list of dicts (lat, lon, hit, company, country, sector, place, placed,
    hit_text). The popup is built in the browser with ``IncidentMapper.el`` (textContent),
    so a company name like ``<img onerror=...>`` shows as text; the payload itself is
    :func:`maps.safety.script_json`.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            {{ this.get_name() }}_data.forEach(function (s) {
                var el = IncidentMapper.el, box = el("div", "im-popup im-site");
                box.appendChild(el("strong", null, s.company));
                [["Owner country", s.country], ["Sector", s.sector], ["Site", s.place],
                 ["Placed", s.placed], ["Hit", s.hit_text]].forEach(function (row) {
                    if (!row[1]) { return; }
                    var line = el("div");
                    line.appendChild(el("span", "im-label", row[0] + ": "));
                    line.appendChild(el("span", "im-value", row[1]));
                    box.appendChild(line);
                });
                L.circleMarker([s.lat, s.lon], {radius: 7, weight: 2, fillOpacity: 0.35,
                    color: s.hit ? "#B2182B" : "#2166AC"}).bindPopup(box, {maxWidth: 320})
                    .addTo({{ this.get_name() }});
            });
        {% endmacro %}
    """)

    def __init__(self, sites: list[dict], name: str = "Registered foreign sites", show: bool = False):
        super().__init__(name=escape(name), overlay=True, control=True, show=show)
        self._name = "SiteLayer"
        self.payload_json = script_json(sites)


class FireLayer(DataMixin, RuntimeMixin, Layer):
    """Satellite fire detections (:func:`maps.payload.fire_detections`), off at first: one
    circle each, sized and coloured by FRP, its tooltip set as text (``IncidentMapper.el``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            (function (d) {
                d.lat.forEach(function (lat, i) {
                    L.circleMarker([lat, d.lon[i]], {radius: d.r[i], weight: 1, color: "#7f2704",
                        fillColor: d.color[i], fillOpacity: 0.8})
                        .bindTooltip(IncidentMapper.el("span", null, d.tip[i]))
                        .addTo({{ this.get_name() }});
                });
            })({{ this.get_name() }}_data);
        {% endmacro %}
    """)

    def __init__(self, data: dict, name: str = "Fire detections (satellite)", show: bool = False):
        super().__init__(name=escape(name), overlay=True, control=True, show=show)
        self._name = "FireLayer"
        self.payload_json = script_json(data)


class _LayerTool(RuntimeMixin, MacroElement):
    """A control working on an IncidentLayer's controller (filters, timeline, search)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.{{ this.function }}({{ this.layer.get_name() }}.controller,
                {% if this.args is not none %}{{ this.args }}, {% endif %}{{ this.position|tojson }});
        {% endmacro %}
    """)
    function = ""
    args_json: str | None = None

    def __init__(self, layer: IncidentLayer, position: str):
        super().__init__()
        self.layer = layer
        self.position = position
        self.args = self.args_json


class IncidentFilters(_LayerTool):
    """Drop-down filters by weapon, target type and owner country."""

    function = "filters"
    args_json = script_json([["weapon", "Weapon"], ["target_type", "Target"],
                             ["owner_country", "Owner country"]])


class IncidentTimeline(_LayerTool):
    """Month slider with play button over the same payload."""

    function = "timeline"


class IncidentSearch(_LayerTool):
    """Search box over place names and owner companies."""

    function = "search"


class IncidentHeatMap(HeatMap):
    """folium's HeatMap fed from an IncidentLayer's payload (no second copy of the points),
    drawn in its own pane above the polygons (which would hide it) and transparent to
    clicks, so the incident circles under it stay clickable."""

    default_js = _links("heat.js")
    PANE = "incidentMapperHeat"
    _template = Template("""
        {% macro script(this, kwargs) %}
            if (!{{ this._parent.get_name() }}.getPane({{ this.PANE|tojson }})) {
                var pane = {{ this._parent.get_name() }}.createPane({{ this.PANE|tojson }});
                pane.style.zIndex = 450;  // above the vector canvas (400), below tooltips
                pane.style.pointerEvents = "none";
            }
            var {{ this.get_name() }} = (function (d) {
                // The points are made when the layer is first shown (a million pairs cost
                // a second of page load for a layer that starts hidden).
                var heat = L.heatLayer([], {{ this.options|tojavascript }});
                heat.once("add", function () {
                    var points = new Array(d.lat.length);  // typed columns: no .map to pairs
                    for (var i = 0; i < points.length; i++) { points[i] = [d.lat[i], d.lon[i]]; }
                    heat.setLatLngs(points);
                });
                return heat;
            })({{ this.layer.get_name() }}.controller.data);
        {% endmacro %}
    """)

    def __init__(self, layer: IncidentLayer, name: str = "Heat map", show: bool = False, **options):
        super().__init__([], name=escape(name), show=show, pane=self.PANE, **options)
        self.layer = layer


class PolygonLayer(DataMixin, RuntimeMixin, Layer):
    """Polygons from a GeoJSON FeatureCollection with per-feature ``label`` and ``style``.

    Used for the choropleths and the macro-region outlines.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            IncidentMapper.polygons({{ this.get_name() }}, {{ this.get_name() }}_data,
                {{ this.style|tojson }}, {{ this.permanent_labels|tojson }});
        {% endmacro %}
    """)

    def __init__(self, geojson: dict, name: str, style: dict, *, show: bool = False,
                 permanent_labels: bool = False):
        super().__init__(name=escape(name), overlay=True, control=True, show=show)
        self._name = "PolygonLayer"
        self.payload_json = script_json(geojson)
        self.style = style
        self.permanent_labels = permanent_labels


class FallbackBasemap(DataMixin, RuntimeMixin, MacroElement):
    """The drawn basemap (see :mod:`maps.basemap`): polygons and centre names shown until
    a map tile loads, not in the layer switcher. ``payload_json`` is
    :func:`maps.safety.script_json` of ``{"polygons": FeatureCollection, "centres":
    [{name, lat, lon}]}``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.fallbackBasemap({{ this._parent.get_name() }}, {{ this.get_name() }}_data);
        {% endmacro %}
    """)

    def __init__(self, payload_json: str):
        super().__init__()
        self._name = "FallbackBasemap"
        self.payload_json = payload_json
