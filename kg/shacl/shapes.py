"""The project's SHACL shapes, parsed once per process (the engine and the screen both read them)."""

from __future__ import annotations

from functools import cache

from rdflib import Graph

from kg.resources import turtle_graph


@cache
def shapes_graph() -> Graph:
    """All shapes in ``shapes/``, parsed once per process."""
    return turtle_graph("shapes", "*.ttl")
