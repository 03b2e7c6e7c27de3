"""Where the shipped data files live: the ontology, SKOS schemes, shapes, queries and schemas.

In an installed wheel they sit in ``kg/_data/`` (pyproject.toml maps the repository folders there);
in a source checkout they are the repository's own top-level folders. Every module finds them here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by turtle_graph itself: finding the data files needs no rdflib
    from rdflib import Graph

_FOLDERS = ("ontology", "shapes", "queries", "schemas")


@cache
def data_dir(folder: str) -> Path:
    """Directory of one shipped data folder: ``ontology``, ``shapes``, ``queries`` or ``schemas``."""
    if folder not in _FOLDERS:
        raise KeyError(f"no shipped data folder {folder!r}; expected one of {_FOLDERS}")
    packaged = Path(str(files("kg"))) / "_data" / folder
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / folder


def data_files(folder: str, pattern: str) -> list[Path]:
    """Files of a data folder matching ``pattern``, sorted for deterministic order."""
    return sorted(data_dir(folder).rglob(pattern))


def turtle_graph(folder: str, pattern: str) -> Graph:
    """One graph parsed from every Turtle file of a data folder matching ``pattern``."""
    from rdflib import Graph

    graph = Graph()
    for path in data_files(folder, pattern):
        graph.parse(path, format="turtle")
    return graph
