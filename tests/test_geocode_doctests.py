"""The examples in the geocoding modules' docstrings run and hold."""

import doctest

import pytest

import geo.cache
import geo.gazetteer
import geo.geocoders.base
import geo.geocoders.offline
import geo.geocoders.place_text
import geo.geocoding
import incidents.textnorm


@pytest.mark.parametrize("module", [
    incidents.textnorm, geo.gazetteer, geo.cache, geo.geocoders.base, geo.geocoders.offline,
    geo.geocoders.place_text, geo.geocoding,
], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
