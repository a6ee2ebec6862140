"""What an incident is: the record, validation, reading and writing, importers
(ACLED, UCDP), the foreign-ownership registry and tagger, and the shipped sample.

Example:
    >>> import incidents
    >>> gdf = incidents.sample()
    >>> gdf.crs.to_string()
    'EPSG:4326'
"""

from incidents.errors import IncidentDataError, Problem
from incidents.io import load, save, save_rejections
from incidents.sample import sample, sample_path
from incidents.schema import COLUMNS
from incidents.validate import validate
from incidents.ownership import OwnershipRegistry, ownership_summary, tag_ownership
from incidents.store import Store, StoreError

__all__ = ["COLUMNS", "IncidentDataError", "Problem", "load", "save_rejections", "sample", "sample_path", "save", "validate"]
__all__ += ["OwnershipRegistry", "ownership_summary", "tag_ownership", "Store", "StoreError"]
