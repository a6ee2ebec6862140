"""Places and space: gazetteer, geocoding, oblasts and macro-regions, boundaries,
spatial queries and the western-vs-eastern comparison."""

from geo.errors import GeoValueError, GroupError, QueryError, SchemeError, SchemeFileError, UnknownPlaceError
from geo.regions import OBLASTS, Oblast, UnknownOblastError, oblast, oblast_from_admin1
from geo.regions import MACRO, Scheme, assign_regions, scheme
from geo.boundaries import (
    border_lines,
    load_boundaries,
    load_oblasts,
    macro_region_outlines,
    neighbours,
    reset_boundaries,
    ukraine_outline,
)
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.geocoders import GeocodingError
from geo.geocoding import coarsen, geocode, reverse
from geo.query import distance_to_border, in_bbox, in_region, nearest, within
from geo.compare import compare, compare_timeline
from geo.comparison import Comparison
from geo.names import ResolvedName
from geo.site_exposure import exposure, exposure_sites, exposure_timeline, foreign_sites
from geo.fires import corroborate, unreported_fires

# Dask frames (geo.on_dask): the same functions, run per partition or merged from partitions.
from geo import on_dask as _on_dask

assign_regions = _on_dask.accepting_dask(assign_regions)
geocode = _on_dask.accepting_dask(geocode)
within = _on_dask.dispatching(within, _on_dask.within)
in_region = _on_dask.dispatching(in_region, _on_dask.in_region)
compare = _on_dask.dispatching(compare, _on_dask.compare)
compare_timeline = _on_dask.dispatching(compare_timeline, _on_dask.compare_timeline)
corroborate = _on_dask.dispatching(corroborate, _on_dask.corroborate)
unreported_fires = _on_dask.dispatching(unreported_fires, _on_dask.unreported_fires)
