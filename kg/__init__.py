"""Positions KG: a knowledge graph of who said what, when, where, and which positions actors
take toward which actions under which conditions, with verbatim evidence and provenance.

The package has two wings that meet at :mod:`kg.store`: the write wing (:mod:`kg.ingest`,
:mod:`kg.shacl`) turns annotated articles into validated graphs; the read wing (:mod:`kg.read`,
:mod:`kg.remote`) queries, exports, serves and loads them. Both stand on the ground floor
(:mod:`kg.errors`, :mod:`kg.terms`, :mod:`kg.iris`, :mod:`kg.vocabulary`, :mod:`kg.resources`,
:mod:`kg.parallel`). ``tests/test_layout.py`` keeps these rules.
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Read lazily: importlib.metadata costs about 50 ms, which every command would pay at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("positions-kg")
        except PackageNotFoundError:  # running from a source checkout that is not installed
            return "0.0.0"
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
