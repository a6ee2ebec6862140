"""folium elements of an incident map that are controls or page furniture: panels
(legend, notes), layout, credits, fit to bounds, fullscreen and the synchronised pair.

They share the runtime of :mod:`maps.layers`; data reaches them only as HTML already
passed through :func:`maps.safety.escape`.

Example:
    >>> from maps.controls import Panel
    >>> from maps.layers import IncidentMap
    >>> m = IncidentMap(location=(49, 31), zoom_start=6, tiles=None)
    >>> _ = Panel("<b>hello</b>", position="bottomleft").add_to(m)
    >>> "im-panel" in m.get_root().render()
    True
"""

from __future__ import annotations

from branca.element import Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen
from folium.template import Template

from maps.layers import IncidentLayer, RawHTML, RuntimeMixin, _links
from maps.safety import escape


class Panel(RuntimeMixin, MacroElement):
    """Pre-escaped HTML shown as a Leaflet control (legend, notes).

    The HTML goes to the page through :class:`RawHTML`: branca compiles a macro's output
    as a template, which would evaluate ``{{ ... }}`` found in data.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.panel({{ this._parent.get_name() }}, {{ this.get_name()|tojson }},
                                 {{ this.position|tojson }}, {{ this.title|tojson }},
                                 {% if this.layer %}{{ this.layer.get_name() }}.controller{% else %}null{% endif %});
        {% endmacro %}
    """)

    def __init__(self, html: str, position: str = "bottomright", css_class: str = "",
                 title: str | None = None, layer: IncidentLayer | None = None):
        super().__init__()
        self._name = "Panel"
        self.html = html
        self.title = title  # when given, the panel collapses to a button of this title
        # A legend of this layer: its [data-color] counts and .im-shown line follow the filters.
        self.layer = layer
        self.position = position
        self.css_class = css_class

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.html.add_child(RawHTML(
                f'<div id="{self.get_name()}" class="im-panel {escape(self.css_class)}">'
                f"{self.html}</div>"), name=self.get_name())
        super().render(**kwargs)


class MapLayout(RuntimeMixin, MacroElement):
    """One-line attribution and panels that collapse when the map gets narrow
    (``IncidentMapper.layout``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.layout({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class DataAttribution(MacroElement):
    """Adds data-source credits, (text, url) pairs escaped here, to the map's attribution
    (a credit whose url is "" is text only, e.g. an attribution line read from a file)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});
        {% endmacro %}
    """)

    def __init__(self, credits: list[tuple[str, str]]):
        super().__init__()
        self.html = " | ".join(
            f'<a href="{escape(url)}" target="_blank" rel="noopener">{escape(text)}</a>' if url
            else escape(text) for text, url in credits)


class FitBounds(RuntimeMixin, MacroElement):
    """Fit the map to ``bounds`` ([[south, west], [north, east]]) once it has a real size,
    and again when its size changes until the user moves it (``IncidentMapper.fitBounds``):
    folium's FitBounds fits once, which in an iframe still sized 0x0 shows the whole world.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.fitBounds({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = bounds


class PinnedFullscreen(Fullscreen):
    """folium's Fullscreen control with its assets pinned to leaflet.fullscreen@3.0.0."""

    default_js = _links("fullscreen.js")
    default_css = _links("fullscreen.css")


class SyncedPair(JSCSSMixin, MacroElement):
    """Two maps panned and zoomed together, each centred on its own bounds.

    Leaflet.Sync with an offset: both show the same zoom, each keeps its own centre.
    """

    default_js = _links("sync.js")
    _template = Template("""
        {% macro script(this, kwargs) %}
            IncidentMapper.syncPair({{ this.m1.get_name() }}, L.latLngBounds({{ this.b1|tojson }}),
                                    {{ this.m2.get_name() }}, L.latLngBounds({{ this.b2|tojson }}));
        {% endmacro %}
    """)

    #: Below this page width the two maps stack, each the full width, the panel below them.
    STACK_BELOW_PX = 700

    def __init__(self, m1, b1, m2, b2):
        super().__init__()
        self.m1, self.b1, self.m2, self.b2 = m1, b1, m2, b2

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            first, second = self.m1.get_name(), self.m2.get_name()
            figure.header.add_child(RawHTML(
                f"<style>@media (max-width: {self.STACK_BELOW_PX - 1}px) {{"
                f"#{first}, #{second} {{ left: 0 !important; width: 100% !important; height: 62vh !important; }}"
                f"#{second} {{ top: 62vh !important; }}"
                "#im-compare-panel { top: 124vh !important; bottom: auto !important; height: auto !important; }"
                "}</style>"), name="im_compare_stack")
        super().render(**kwargs)
