"""The public API is typed and its reference builds: `make docs` (scripts/build_docs.py,
pdoc) without warnings, and every function the packages export carries type hints."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import needs

ROOT = Path(__file__).resolve().parents[1]

def unhinted(function) -> list[str]:
    signature = inspect.signature(function)
    missing = [name for name, p in signature.parameters.items()
               if p.annotation is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return missing + (["return"] if signature.return_annotation is inspect.Signature.empty else [])


def exported_functions():
    for package in ("incidents", "geo", "maps"):
        module = importlib.import_module(package)
        for name in dir(module):
            if not name.startswith("_") and inspect.isfunction(getattr(module, name)):
                yield f"{package}.{name}", getattr(module, name)


def test_exported_functions_have_type_hints():
    # Bug caught: a public function added or changed without hints (py.typed promises them).
    missing = {name: unhinted(f) for name, f in exported_functions() if unhinted(f)}
    assert not missing, missing


def test_packages_ship_py_typed():
    pyproject = (ROOT / "pyproject.toml").read_text()
    for package in ("incidents", "geo", "maps"):
        assert (ROOT / package / "py.typed").is_file(), package
        assert f'{package} = [' in pyproject and '"py.typed"' in pyproject.split(f"{package} = [")[1].split("]")[0]


def test_api_reference_builds_without_warnings(tmp_path):
    try:
        import pdoc  # noqa: F401
    except ImportError:
        needs.missing("pdoc is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_docs.py"), str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    assert {"index.html", "geo/comparison.html", "geo/names.html", "geo/query.html"} <= pages
    # the docstrings are rendered (reStructuredText roles become code, not raw ":func:")
    page = (tmp_path / "geo" / "compare.html").read_text()
    assert "<code>geo.scheme()</code>" in page


def test_docstring_examples_of_the_api_modules():
    # Bug caught: an Example: in a docstring that no longer holds (pdoc publishes them).
    import doctest

    for name in ("geo.comparison", "geo.names", "geo.query", "geo.compare"):  # geo.compare is also a function
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, name
