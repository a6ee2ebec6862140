"""Foreign-ownership registry and tagging: who owns the site that was hit, on what evidence.

Example:
    >>> import incidents
    >>> gdf = incidents.tag_ownership(incidents.sample())     # doctest: +SKIP
    >>> incidents.ownership_summary(gdf)["owner_country"]     # doctest: +SKIP
"""

from incidents.ownership.registry import KINDS, OwnershipRegistry, RegistryEntry, Site
from incidents.ownership.summary import ownership_summary
from incidents.ownership.tagging import tag_ownership

__all__ = ["KINDS", "OwnershipRegistry", "RegistryEntry", "Site", "ownership_summary", "tag_ownership"]
