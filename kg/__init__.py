"""Positions KG: a knowledge graph of who said what, when, where, and which positions actors
take toward which actions under which conditions, with verbatim evidence and provenance."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("positions-kg")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
