"""Remove articles from the store: exactly their contribution, in one transaction.

An article's contribution is its named graph (its own statements, positions and actions, its
evidence spans, and its links to the corpus-level communications it reports) and its provenance
records. The registry, the corpus-level definitions and other articles' graphs are never touched:
a communication another article still reports keeps that article's evidence; one no article
reports any more is no longer typed as a statement, so it drops out of the answers. The derived
graph and the full-text index (kg search) then follow.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.errors import InputError, Problem, StoreError
from kg.ingest.derive import rederive
from kg.iris import ingest_activity_iri, source_file_iri
from kg.store import EmbeddedStore, stored_article_ids
from kg.terms import PROVENANCE_GRAPH, article_graph
from kg.textindex import remove_from_index


def remove(store: EmbeddedStore, source_ids: Sequence[str]) -> None:
    """Remove the articles ``source_ids``; all or none (an unknown id removes nothing).

    :raises InputError: naming every article that is not in the store.
    """
    stored = set(stored_article_ids(store))
    missing = [sid for sid in source_ids if sid not in stored]
    if missing:
        raise InputError(
            [
                Problem(
                    "kg remove",
                    "ARTICLE",
                    f"article {sid!r} is not in the store {store.location}",
                    "give the article's source_id as 'kg query' and 'kg export' show it; nothing was removed",
                )
                for sid in missing
            ]
        )
    operations = []
    for sid in dict.fromkeys(source_ids):
        operations.append(f"DROP SILENT GRAPH {article_graph(sid).n3()}")
        for subject in (
            article_graph(sid),
            ingest_activity_iri(sid),
            source_file_iri(sid, "annotation"),
            source_file_iri(sid, "text"),
        ):
            operations.append(f"DELETE WHERE {{ GRAPH {PROVENANCE_GRAPH.n3()} {{ {subject.n3()} ?p ?o }} }}")
    try:
        # One SPARQL update is one Oxigraph transaction: every article goes, or none.
        store.oxigraph.update(" ;\n".join(operations))
    except (OSError, SyntaxError) as err:
        raise StoreError(f"the store at {store.location} rejected the removal: {err}") from err
    rederive(store)
    store.flush()
    remove_from_index(store.location, list(dict.fromkeys(source_ids)))  # kg search follows the store
