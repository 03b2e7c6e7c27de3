"""Actors and events by slug, label or other name: what a user types, resolved against the registry.

``--param holder=Germany``, ``--actor germany`` and ``--actor "Federal Republic of Germany"`` all
name the same actor. A name that fits several registry entries is refused with the candidates; one
that fits none is refused with the nearest slugs. The registry's names are read from the store
(rdfs:label and skos:altLabel in the registry graph) by one bound query.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import QueryError
from kg.prefixes import REGISTRY_GRAPH_IRI, REGISTRY_PREFIXES
from kg.store import EmbeddedStore

_NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entry ?name ?preferred WHERE {
  GRAPH ?registry {
    { ?entry rdfs:label ?name BIND(true AS ?preferred) } UNION { ?entry skos:altLabel ?name BIND(false AS ?preferred) }
  }
}"""


#: One entry's names, the entry bound (whether a slug is the registry's without reading every name).
_ENTRY_NAMED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entry ?name WHERE {
  GRAPH ?registry { { ?entry rdfs:label ?name } UNION { ?entry skos:altLabel ?name } }
} LIMIT 1"""


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@dataclass
class RegistryNames:
    """Slug -> preferred label, and every folded name -> the slugs it names, for one registry section."""

    section: str
    labels: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: EmbeddedStore, section: str = "actors") -> RegistryNames:
        namespace = REGISTRY_PREFIXES[section]
        names = cls(section)
        query = _NAMES.replace("?registry", f"<{REGISTRY_GRAPH_IRI}>")
        _, rows = store.select_values(query)
        for entry, name, preferred in rows:
            if entry is None or name is None or not entry.startswith(namespace):
                continue
            slug = entry[len(namespace) :]
            if preferred == "true" or slug not in names.labels:
                names.labels[slug] = name
            names.by_name.setdefault(_key(name), set()).add(slug)
        for slug in names.labels:
            names.by_name.setdefault(slug, set()).add(slug)
        return names

    @staticmethod
    def has_slug(store: EmbeddedStore, section: str, slug: str) -> bool:
        """Whether ``slug`` is an entry of ``section`` with a name, as :meth:`read`'s ``labels`` would
        have it: then it binds as it is, and the registry's names need not be read (about 20 ms at
        10,000 articles, a tenth of a narrowed query's start-up)."""
        query = _ENTRY_NAMED.replace("?registry", f"<{REGISTRY_GRAPH_IRI}>")
        return bool(store.select(query, {"entry": ox.NamedNode(REGISTRY_PREFIXES[section] + slug)}).rows)

    def iri(self, slug: str) -> ox.NamedNode:
        return ox.NamedNode(REGISTRY_PREFIXES[self.section] + slug)

    def resolve(self, text: str, *, what: str = "actor") -> str:
        """The slug ``text`` names (a slug, a label or another name, any case or accents).

        :raises QueryError: listing the candidates when it names several, the nearest when none.
        """
        if text in self.labels:
            return text
        slugs = sorted(self.by_name.get(_key(text), ()))
        if len(slugs) == 1:
            return slugs[0]
        if slugs:
            listed = ", ".join(f"{s} ({self.labels.get(s, s)})" for s in slugs)
            raise QueryError(f"{what} {text!r} is ambiguous: it names {listed}; give one of these slugs")
        if not self.labels:
            raise QueryError(f"no {what} {text!r}: the store holds no {self.section} (run 'kg ingest' first)")
        wanted = _key(text)
        near = difflib.get_close_matches(wanted, list(self.by_name), n=5, cutoff=0.6)
        # Also the names that contain every word typed ("iran war" -> us-israel-war-on-iran-2026).
        words = wanted.replace("-", " ").split()
        near += [n for n in self.by_name if words and all(w in n.replace("-", " ").split() for w in words)][:5]
        suggestions = sorted({slug for name in near for slug in self.by_name[name]})
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        where = (
            "'kg ls articles' shows their contexts"
            if self.section == "events"
            else f"'kg ls {self.section}' lists them"
        )
        raise QueryError(f"no {what} {text!r} in the registry{hint} ({where})")
