"""Pinned JavaScript/CSS assets: CDN links for normal pages, a local cache for offline ones.

Every asset a map page loads is listed in :data:`ASSETS` with an exact version. A normal
page links to the jsDelivr copy of the npm package; a self-contained page inlines the file
from the local cache, which is filled from the npm registry (``npm pack``) or, failing
that, from the same jsDelivr URLs.

Fill the cache (what ``make demo`` and CI run)::

    python scripts/fetch_assets.py

The cache lives in ``$INCIDENT_MAPPER_ASSETS`` if set, else in the user cache directory
(``platformdirs.user_cache_dir("incident-mapper")/assets``). A missing file is fetched on
demand unless ``INCIDENT_MAPPER_NO_FETCH=1`` (the test suite sets it: tests never fetch).

Example:
    >>> from maps import assets
    >>> assets.ASSETS["leaflet.js"].cdn_url
    'https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js'
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import folium
import platformdirs

CACHE_ENV = "INCIDENT_MAPPER_ASSETS"
#: Set to 1 to never fetch on demand (tests: no network; a missing cache is an error).
NO_FETCH_ENV = "INCIDENT_MAPPER_NO_FETCH"
FETCH_COMMAND = "python scripts/fetch_assets.py"
CDN = "https://cdn.jsdelivr.net"


@dataclass(frozen=True)
class Asset:
    """One pinned file of an npm package (or of the installed folium package)."""

    package: str
    version: str
    path: str
    #: Files the asset refers to by relative url() (CSS images), fetched with it.
    companions: tuple[str, ...] = ()

    @property
    def cdn_url(self) -> str:
        if self.package == "folium":
            # folium carries this file itself; pin the CDN link to the installed tag.
            return f"{CDN}/gh/python-visualization/folium@v{self.version}/folium/{self.path}"
        return f"{CDN}/npm/{self.package}@{self.version}/{self.path}"

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    def local_path(self, cache: Path | None = None) -> Path:
        if self.package == "folium":
            return Path(folium.__file__).parent / self.path
        return (cache or cache_dir()) / self.spec / self.path


ASSETS: dict[str, Asset] = {
    "leaflet.js": Asset("leaflet", "1.9.3", "dist/leaflet.js"),
    "leaflet.css": Asset(
        "leaflet", "1.9.3", "dist/leaflet.css",
        companions=("dist/images/layers.png", "dist/images/layers-2x.png",
                    "dist/images/marker-icon.png"),
    ),
    "fullscreen.js": Asset("leaflet.fullscreen", "3.0.0", "Control.FullScreen.js"),
    "fullscreen.css": Asset(
        "leaflet.fullscreen", "3.0.0", "Control.FullScreen.css",
        companions=("icon-fullscreen.svg",),
    ),
    "sync.js": Asset("leaflet.sync", "0.2.4", "L.Map.Sync.js"),
    "heat.js": Asset("folium", folium.__version__, "templates/leaflet_heat.min.js"),
}
#: CDN url -> asset, to find what a rendered page links to.
BY_URL: dict[str, Asset] = {a.cdn_url: a for a in ASSETS.values()}


class AssetsMissing(RuntimeError):
    """The offline asset cache lacks a file and it could not be fetched."""


def cache_dir() -> Path:
    """Directory of the asset cache (``$INCIDENT_MAPPER_ASSETS`` or the user cache)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("incident-mapper")) / "assets"


def missing(cache: Path | None = None) -> list[Asset]:
    """Assets (and their companion files) not yet in the cache."""
    out = []
    for asset in ASSETS.values():
        base = (cache or cache_dir()) / asset.spec
        files = [asset.local_path(cache)] + [base / c for c in asset.companions]
        if asset.package != "folium" and not all(f.exists() for f in files):
            out.append(asset)
    return out


def fetch(cache: Path | None = None, *, use_npm: bool = True, use_cdn: bool = True) -> list[str]:
    """Fill the cache with every pinned package; returns one log line per package.

    Tries ``npm pack PACKAGE@VERSION`` first (works wherever the npm registry is
    reachable), then the jsDelivr CDN file by file.
    """
    cache = cache or cache_dir()
    log = []
    for spec in sorted({a.spec for a in missing(cache)}):
        assets = [a for a in ASSETS.values() if a.spec == spec]
        how = None
        if use_npm and shutil.which("npm"):
            how = _fetch_npm(spec, cache)
        if how is None and use_cdn:
            how = _fetch_cdn(assets, cache)
        if how is None:
            raise AssetsMissing(f"could not fetch {spec} from npm or {CDN}")
        log.append(f"{spec}: {how}")
    return log


def _fetch_npm(spec: str, cache: Path) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", tmp],
            capture_output=True, text=True, timeout=180,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            return None
        target = cache / spec
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0]) as tar:
            for member in tar.getmembers():
                # npm tarballs put everything under "package/"; keep regular files only.
                if not member.isfile() or not member.name.startswith("package/"):
                    continue
                relative = Path(member.name[len("package/"):])
                if ".." in relative.parts:
                    continue
                out = target / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())
    return f"npm pack {spec}"


def _fetch_cdn(assets: list[Asset], cache: Path) -> str | None:
    try:
        for asset in assets:
            for path in (asset.path, *asset.companions):
                url = f"{CDN}/npm/{asset.spec}/{path}"
                with urllib.request.urlopen(url, timeout=30) as response:
                    data = response.read()
                out = cache / asset.spec / path
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
    except OSError:
        return None
    return f"{CDN}/npm/{assets[0].spec}"


def read(asset: Asset) -> str:
    """Text of a cached asset, fetching the cache first if it is incomplete.

    Raises :class:`AssetsMissing` naming the fetch command when offline and uncached.
    """
    path = asset.local_path()
    if not path.exists():
        if os.environ.get(NO_FETCH_ENV) == "1":
            raise AssetsMissing(f"{asset.spec}/{asset.path} is not in the asset cache "
                                f"{cache_dir()}; run `{FETCH_COMMAND}` while online")
        try:
            fetch()
        except (AssetsMissing, OSError, subprocess.SubprocessError) as err:
            raise AssetsMissing(
                f"{asset.spec}/{asset.path} is not in the asset cache {cache_dir()} and could "
                f"not be fetched ({err}); run `{FETCH_COMMAND}` while online"
            ) from None
    text = path.read_text(encoding="utf-8")
    if asset.path.endswith(".css"):
        text = _inline_css_urls(text, path.parent)
    # Source-map comments make developer tools request .map files; drop them.
    return re.sub(r"^\s*//# sourceMappingURL=.*$", "", text, flags=re.M)


def _inline_css_urls(css: str, base: Path) -> str:
    """Replace relative url(...) references in CSS by data: URIs of the cached files."""

    def replace(match: re.Match) -> str:
        ref = match.group(2)
        if ref.startswith(("#", "data:")):
            return match.group(0)
        file = base / ref
        if not file.exists():
            raise AssetsMissing(f"CSS refers to {ref}, missing from the asset cache at {file}")
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = base64.b64encode(file.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{data})"

    return re.sub(r"""url\((['"]?)([^'")]+)\1\)""", replace, css)


__all__ = ["ASSETS", "Asset", "AssetsMissing", "cache_dir", "fetch", "missing", "read",
           "FETCH_COMMAND", "CACHE_ENV", "NO_FETCH_ENV"]