"""The full-text index beside the store: SQLite FTS5 (Python's standard library), kept in step by ingest.

Oxigraph has no text search, so quotes, condition texts, labels and headlines are indexed here, in
``<store>/search.sqlite``, with what a hit must show (the positions a quote or condition supports,
their holders, stances, actions and conditions; speaker, date, article) stored beside each entry:
a search answers from this file alone, without a SPARQL query per hit. The article texts are kept
too (read from the files the provenance graph names, checked against their SHA-256), for the
evidence views that show a quote in its article.

Text is folded before it is indexed and before it is searched (:func:`fold`): compatibility
decomposition, combining marks removed (Latin accents, Arabic harakat), case folded; FTS5's
``unicode61 remove_diacritics 2`` tokenizer splits it into words. Ranking is FTS5's bm25.

Ingest writes the rows its workers made (:class:`BatchIndex`, :class:`IndexUpdate`); :func:`remove_from_index` drops
articles. Everything an entry holds comes from the store by the SPARQL below, restricted to the
articles' named graphs (the graph IRIs are minted from validated slugs), so the index can always be
rebuilt from the store (:func:`rebuild_index`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.prefixes import ACTOR_NS, ARTICLE_GRAPH_NS, ARTICLE_NS, PREFIXES, PROVENANCE_GRAPH_IRI, REGISTRY_GRAPH_IRI
from kg.store import RDF_TYPE, EmbeddedStore, Selecting, lines_with, plain_values, stored_article_ids

# No rdflib (nor kg.terms, which is built on it): kg query's grouped answers read article headlines
# from here, and its start-up has no room for rdflib's import.

INDEX_FILE = "search.sqlite"
#: Bumped whenever the tables or what they hold change: an index of another version is rebuilt.
INDEX_VERSION = "1"
#: Longest search text accepted (characters); longer input is refused, not truncated.
MAX_QUERY_CHARS = 500
#: Words that carry no meaning for a search (English, French, German, Spanish: the corpus's languages).
_STOP_WORD_LIST = """a an and are as at be been but by did do does for from had has have he her his i if in into is it
    its me my no not of on or our over she so than that the their them then there these they this those
    to under until up was we were what when where which while who whom why will with would you your
    au aux ce ces dans de des du elle en est et il ils la le les leur mais ne ni nous ou par pas pour
    qu que qui sa se ses son sur un une vous der die das den dem des ein eine einer eines und oder nicht
    mit von zu zum zur ist sind war auf aus bei für im wir sie er es el los las del y o en con por para
    se su sus"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())

KINDS = ("quote", "condition", "label", "headline")

_PREFIXES = """
PREFIX gpo:    <https://w3id.org/positions-kg/ontology#>
PREFIX oa:     <http://www.w3.org/ns/oa#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs:   <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""

# Each query runs over a batch of article graphs (VALUES ?g); labels come from the registry and
# vocabulary graphs through the union default graph.
_ARTICLES = (
    _PREFIXES
    + """
SELECT ?g ?article ?headline ?outlet ?published ?context WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?article a gpo:Article }
  OPTIONAL { ?article schema:headline ?headline }
  OPTIONAL { ?article schema:datePublished ?published }
  OPTIONAL { ?article gpo:inContextOf ?context }
  OPTIONAL { ?article schema:publisher ?publisher . OPTIONAL { ?publisher rdfs:label ?outlet } }
}"""
)
_POSITIONS = (
    _PREFIXES
    + """
SELECT ?g ?position ?holder ?holderLabel ?stanceLabel ?polarity ?actionLabel WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?position a gpo:Position ; gpo:holder ?holder ; gpo:stance ?stance ; gpo:towards ?action . }
  OPTIONAL { ?holder rdfs:label ?holderLabel }
  OPTIONAL { ?stance skos:prefLabel ?stanceLabel }
  OPTIONAL { ?stance gpo:polarity ?polarity }
  OPTIONAL { ?action rdfs:label ?actionLabel }
}"""
)
_CONDITIONS = (
    _PREFIXES
    + """
SELECT ?g ?position ?condition ?text ?typeLabel WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?position gpo:hasCondition ?condition . ?condition gpo:conditionText ?text . }
  OPTIONAL { ?condition gpo:conditionType/skos:prefLabel ?typeLabel }
}"""
)
_STATEMENTS = (
    _PREFIXES
    + """
SELECT ?g ?statement ?position ?speaker ?speakerLabel ?description ?onBehalfOf ?statedOn ?capacityLabel WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?statement a gpo:Statement }
  OPTIONAL { ?position gpo:expressedIn ?statement }
  OPTIONAL { ?statement gpo:speaker ?speaker . OPTIONAL { ?speaker rdfs:label ?speakerLabel } }
  OPTIONAL { ?statement gpo:speakerDescription ?description }
  OPTIONAL { ?statement gpo:onBehalfOf ?onBehalfOf }
  OPTIONAL { ?statement gpo:statedOn ?statedOn }
  OPTIONAL { ?statement gpo:speakerCapacity ?capacity . OPTIONAL { ?capacity rdfs:label ?capacityLabel } }
}"""
)
_SPANS = (
    _PREFIXES
    + """
SELECT ?g ?owner ?span ?exact ?start ?end ?kindLabel WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?owner gpo:hasEvidence ?span .
             ?span oa:hasSelector ?quote . ?quote oa:exact ?exact .
             ?span oa:hasSelector ?place . ?place oa:start ?start ; oa:end ?end . }
  OPTIONAL { ?span gpo:evidenceKind ?kind . OPTIONAL { ?kind skos:prefLabel ?kindLabel } }
}"""
)
_ACTIONS = (
    _PREFIXES
    + """
SELECT ?g ?position ?actionLabel WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?position a gpo:Position ; gpo:towards ?action . ?action rdfs:label ?actionLabel . }
}"""
)
_ACTOR_LABELS = (
    _PREFIXES
    + """
SELECT ?actor ?label WHERE {
  GRAPH %s { ?actor a ?type . { ?actor rdfs:label ?label } UNION { ?actor skos:altLabel ?label } }
  FILTER(STRSTARTS(STR(?actor), "%s"))
}"""
)
_TEXT_FILES = (
    _PREFIXES
    + """
SELECT ?file ?name ?sha WHERE { VALUES ?file { %s } ?file schema:name ?name ; gpo:sha256 ?sha . }"""
)

#: Every predicate of the queries :func:`index_rows` runs. Each of their triple patterns names one
#: (none has a variable predicate), so no triple of another predicate can change an answer: an ingest
#: worker's scratch store (:class:`BatchIndex`) holds only these: three fifths of a batch's text and two
#: fifths of the context, and a batch of 40 gets its rows in 85 ms instead of 127-172 (BENCHMARKS.md,
#: run R).
#: tests/test_search.py checks the list against the queries.
INDEX_PREDICATES = frozenset(
    f"<{PREFIXES[prefix]}{name}>"
    for prefix, names in (
        ("gpo", "conditionText conditionType evidenceKind expressedIn hasCondition hasEvidence holder inContextOf"),
        ("gpo", "onBehalfOf polarity sha256 speaker speakerCapacity speakerDescription stance statedOn towards"),
        ("oa", "end exact hasSelector start"),
        ("rdfs", "label"),
        ("schema", "datePublished headline name publisher"),
        ("skos", "prefLabel"),
    )
    for name in names.split()
) | {RDF_TYPE}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
    id TEXT PRIMARY KEY, headline TEXT, outlet TEXT, published TEXT, context TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS positions(
    iri TEXT PRIMARY KEY, article TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS positions_article ON positions(article);
CREATE TABLE IF NOT EXISTS entries(
    id INTEGER PRIMARY KEY, body TEXT NOT NULL, kind TEXT NOT NULL, article TEXT NOT NULL,
    actors TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_article ON entries(article);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(
    body, content='entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
"""


def fold(text: str) -> str:
    """``text`` as it is indexed and searched: no accents or other combining marks, case folded."""
    if text.isascii():  # nothing to decompose or remove: the common case, a twentieth of the cost
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_terms(text: str) -> list[str]:
    """The words of a search text that are worth searching for (folded, stop words left out).

    :raises QueryError: for an empty search, one of only stop words, or one longer than
        :data:`MAX_QUERY_CHARS` characters.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the search text is {len(text):,} characters long; search for at most {MAX_QUERY_CHARS} "
            "characters (a few words of the quote or condition)"
        )
    words = re.findall(r"\w+", fold(text))
    terms = [w for w in words if w not in STOP_WORDS]
    if not terms:
        what = "only stop words" if words else "no words"
        raise QueryError(f"the search text {text!r} has {what}; add a word that carries meaning (e.g. 'defensive')")
    return list(dict.fromkeys(terms))


def index_path(location: Path) -> Path:
    return location / INDEX_FILE


@dataclass(frozen=True)
class IndexedPosition:
    """What a search hit shows of a position (stored as JSON in the index)."""

    iri: str
    holders: list[list[str]]  # [slug or IRI, label]
    stance: str
    polarity: str
    action: str
    conditions: list[list[str]]  # [type label, text]


@dataclass(frozen=True)
class Entry:
    """One indexed text and what it belongs to."""

    rowid: int
    kind: str
    article: str
    detail: dict[str, object]
    score: float


# -- opening -------------------------------------------------------------------------------------


@contextmanager
def connect(location: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
    """The index of the store at ``location`` (created when ``create``); one transaction per use."""
    path = index_path(location)
    if not create and not path.is_file():
        raise StoreError(f"no search index at {path}")
    try:
        with closing(sqlite3.connect(path, timeout=30)) as connection:
            with connection:
                connection.executescript(_SCHEMA)
            with connection:
                yield connection
    except sqlite3.Error as err:
        raise StoreError(f"the search index at {path} failed: {err}") from err


def is_current(location: Path) -> bool:
    """Whether the store at ``location`` has an index of this version."""
    path = index_path(location)
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == INDEX_VERSION


# -- keeping it in step ------------------------------------------------------------------------


class BatchIndex:
    """Index rows made beside the store, before the articles are in it (an ingest worker's batch).

    For each batch, an in-memory Oxigraph store holds the batch's article graphs and provenance and
    the graphs the index queries read besides (the registry, corpus, vocabulary and ontology graphs:
    ``context``, N-Triples by graph), each only its triples of :data:`INDEX_PREDICATES`, and is
    queried by the same SPARQL as the store's articles (:func:`index_rows`). Labels come only from
    those graphs (an article graph labels only nodes of its own article), so the rows are those the
    store would give.
    """

    def __init__(self, context: Mapping[str, str]) -> None:
        self._context = "".join(_quads(_read(text), ox.NamedNode(graph)) for graph, text in context.items())
        self._store = ox.Store()

    def select_values(self, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        solutions = self._store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return plain_values(solutions)

    def rows(self, articles: Mapping[str, tuple[str, str]], annotation_files: Mapping[str, Path]) -> IndexRows:
        """The rows of ``articles`` (source id -> (article graph, provenance) as N-Triples)."""
        provenance = ox.NamedNode(PROVENANCE_GRAPH_IRI)
        # A new store for every batch: an in-memory Oxigraph store keeps what is removed from it
        # (memory grew by about 4 MB a batch), and loading the context again costs about 10 ms.
        self._store = ox.Store()
        quads = [
            _quads(_read(triples), ox.NamedNode(ARTICLE_GRAPH_NS + sid)) + _quads(_read(about), provenance)
            for sid, (triples, about) in articles.items()
        ]
        # Lenient: the text is N-Triples kg wrote itself, parsed strictly when the store loads it (a
        # failure there stops the ingest, and these rows are never committed); a third faster here.
        self._store.load(self._context + "".join(quads), format=ox.RdfFormat.N_QUADS, lenient=True)
        try:
            return index_rows(self, sorted(articles), annotation_files)
        finally:
            self._store = ox.Store()


def _read(triples: str) -> str:
    """The lines of N-Triples ``triples`` the index queries read (:data:`INDEX_PREDICATES`)."""
    return lines_with(triples, INDEX_PREDICATES)


def _quads(triples: str, graph: ox.NamedNode) -> str:
    """N-Triples lines as N-Quads of ``graph``: each line ends with " .\\n", which no term holds."""
    return triples.replace(" .\n", f" {graph} .\n")


class IndexUpdate:
    """The index changes of one ingest, in one SQLite transaction committed by :meth:`finish`.

    Rows made beforehand (:class:`BatchIndex`) are written with :meth:`add` as articles are
    committed; :meth:`finish` indexes from the store whatever else needs it (every stored article
    when the index was of another version) and commits. Leaving without ``finish`` (an error, a
    kill) changes nothing.
    """

    def __init__(self, location: Path) -> None:
        self.location = location
        self._stack = ExitStack()
        self._db: sqlite3.Connection | None = None
        self._rebuild = False
        self._added: set[str] = set()

    def __enter__(self) -> IndexUpdate:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._stack.enter_context(connect(self.location, create=True))
            if _version(self._db) != INDEX_VERSION:  # an index of another version is made whole
                _clear(self._db)
                self._rebuild = True
        return self._db

    def add(self, source_id: str, rows: IndexRows) -> None:
        db = self._connection()
        _delete_articles(db, [source_id])
        write_rows(db, rows)
        self._added.add(source_id)

    def finish(self, store: EmbeddedStore, annotation_files: Mapping[str, Path | str], *, batch: int = 200) -> None:
        """Index the articles of ``annotation_files`` not added yet from ``store``, and commit."""
        db = self._connection()
        ids = set(annotation_files) | (set(stored_article_ids(store)) if self._rebuild else set())
        rest = sorted(ids - self._added)
        for start in range(0, len(rest), batch):
            chunk = rest[start : start + batch]
            _delete_articles(db, chunk)
            _index_articles(db, store, chunk, annotation_files)
        _index_actor_labels(db, store)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (INDEX_VERSION,))
        self._stack.close()  # commits


def rebuild_index(store: EmbeddedStore) -> None:
    """Make the index from the store alone (article texts kept where the old index had them)."""
    with connect(store.location, create=True) as db:
        texts = dict(db.execute("SELECT id, text FROM articles WHERE text IS NOT NULL").fetchall())
        _clear(db)
        ids = stored_article_ids(store)
        for start in range(0, len(ids), 200):
            _index_articles(db, store, ids[start : start + 200], {})
        db.executemany("UPDATE articles SET text = ? WHERE id = ?", [(t, i) for i, t in texts.items()])
        _index_actor_labels(db, store)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (INDEX_VERSION,))


def remove_from_index(location: Path, article_ids: Sequence[str]) -> None:
    """Drop articles from the index (when they are removed from the store)."""
    if not index_path(location).is_file():
        return
    with connect(location, create=False) as db:
        _delete_articles(db, list(article_ids))


def _version(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return None if row is None else str(row[0])


def _clear(db: sqlite3.Connection) -> None:
    db.execute("INSERT INTO entries_fts(entries_fts) VALUES ('delete-all')")
    for table in ("entries", "positions", "articles", "meta"):
        db.execute(f"DELETE FROM {table}")


def _delete_articles(db: sqlite3.Connection, article_ids: list[str]) -> None:
    for article in article_ids:
        rows = db.execute("SELECT id, body FROM entries WHERE article = ?", (article,)).fetchall()
        db.executemany("INSERT INTO entries_fts(entries_fts, rowid, body) VALUES ('delete', ?, ?)", rows)
        db.execute("DELETE FROM entries WHERE article = ?", (article,))
        db.execute("DELETE FROM positions WHERE article = ?", (article,))
        db.execute("DELETE FROM articles WHERE id = ?", (article,))


@dataclass
class IndexRows:
    """What the index holds for some articles, ready to insert: made from a store by
    :func:`index_rows` (an ingest worker makes it from its batch), written by :func:`write_rows`."""

    articles: list[tuple[str, str, str, str, str, str | None]] = field(default_factory=list)
    positions: list[tuple[str, str, str]] = field(default_factory=list)
    #: (folded body, kind, article, " actor actor ", detail as JSON), in insertion order.
    entries: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def entry(self, text: str, kind: str, article: str, actors: Iterable[str], detail: dict) -> None:
        detail = {"text": text, **detail}
        actor_text = " " + " ".join(sorted(set(actors))) + " "
        self.entries.append((fold(text), kind, article, actor_text, json.dumps(detail, ensure_ascii=False)))

    def by_article(self) -> dict[str, IndexRows]:
        """The rows split by the article they belong to (in the order each was made)."""
        split: dict[str, IndexRows] = defaultdict(IndexRows)
        for row in self.articles:
            split[row[0]].articles.append(row)
        for position in self.positions:
            split[position[1]].positions.append(position)
        for entry in self.entries:
            split[entry[2]].entries.append(entry)
        return dict(split)


def write_rows(db: sqlite3.Connection, rows: IndexRows) -> None:
    db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)", rows.articles)
    db.executemany("INSERT OR REPLACE INTO positions VALUES (?, ?, ?)", rows.positions)
    for entry in rows.entries:
        cursor = db.execute("INSERT INTO entries(body, kind, article, actors, detail) VALUES (?, ?, ?, ?, ?)", entry)
        db.execute("INSERT INTO entries_fts(rowid, body) VALUES (?, ?)", (cursor.lastrowid, entry[0]))


def _slug(term: str | None) -> str:
    text = term or ""
    return text[len(ACTOR_NS) :] if text.startswith(ACTOR_NS) else text


def _rows(store: Selecting, query: str, graphs: str) -> Iterator[dict[str, str | None]]:
    """The answer's rows, sorted: the lists an entry holds (holders, conditions, quotes) come out in
    the same order whichever store answers (an ingest worker's scratch store, or the store itself)."""
    variables, rows = store.select_values(query % graphs)
    for row in sorted(rows, key=lambda values: [(v is not None, v or "") for v in values]):
        yield dict(zip(variables, row, strict=True))


def _index_articles(
    db: sqlite3.Connection, store: EmbeddedStore, ids: list[str], annotation_files: Mapping[str, Path | str]
) -> None:
    write_rows(db, index_rows(store, ids, annotation_files))


def index_rows(store: Selecting, ids: list[str], annotation_files: Mapping[str, Path | str]) -> IndexRows:
    """The index rows of the articles ``ids`` from what ``store`` holds for them (the SPARQL above;
    labels through the union of its graphs) and their texts (``annotation_files``)."""
    rows = IndexRows()
    if not ids:
        return rows
    graphs = " ".join(f"<{ARTICLE_GRAPH_NS}{i}>" for i in ids)  # minted from validated slugs
    prefix = ARTICLE_NS

    def article_of(graph: str | None) -> str:
        return str(graph).rsplit("/", 1)[-1]

    articles: dict[str, dict[str, str]] = {}
    for row in _rows(store, _ARTICLES, graphs):
        if str(row["article"]).startswith(prefix):
            articles.setdefault(
                article_of(row["g"]),
                {
                    "headline": str(row["headline"] or ""),
                    "outlet": str(row["outlet"] or ""),
                    "published": str(row["published"] or "")[:10],
                    "context": str(row["context"] or "").rsplit("/", 1)[-1],
                },
            )
    texts = _article_texts(store, ids, annotation_files)
    rows.articles = [
        (i, a["headline"], a["outlet"], a["published"], a["context"], texts.get(i)) for i, a in articles.items()
    ]

    positions: dict[str, dict] = {}
    position_article: dict[str, str] = {}
    for row in _rows(store, _POSITIONS, graphs):
        iri = str(row["position"])
        position_article[iri] = article_of(row["g"])
        detail = positions.setdefault(
            iri,
            {
                "iri": iri,
                "holders": [],
                "stance": str(row["stanceLabel"] or ""),
                "polarity": str(row["polarity"] or "").rsplit("/", 1)[-1],
                "action": str(row["actionLabel"] or ""),
                "conditions": [],
            },
        )
        holder = [_slug(row["holder"]), str(row["holderLabel"] or _slug(row["holder"]))]
        if holder not in detail["holders"]:
            detail["holders"].append(holder)
    conditions: dict[str, dict] = {}
    for row in _rows(store, _CONDITIONS, graphs):
        iri = str(row["position"])
        item = [str(row["typeLabel"] or ""), str(row["text"])]
        if iri in positions and item not in positions[iri]["conditions"]:
            positions[iri]["conditions"].append(item)
        conditions.setdefault(str(row["condition"]), {"position": iri, "text": str(row["text"]), "types": []})
        if row["typeLabel"] and str(row["typeLabel"]) not in conditions[str(row["condition"])]["types"]:
            conditions[str(row["condition"])]["types"].append(str(row["typeLabel"]))
    rows.positions = [(iri, position_article[iri], json.dumps(d, ensure_ascii=False)) for iri, d in positions.items()]

    def holders_of(iris: Iterable[str]) -> set[str]:
        return {h[0] for i in iris if i in positions for h in positions[i]["holders"]}

    statements: dict[str, dict] = defaultdict(
        lambda: {"positions": [], "speakers": [], "speakerSlugs": [], "onBehalfOf": [], "date": "", "capacity": ""}
    )
    for row in _rows(store, _STATEMENTS, graphs):
        statement = statements[str(row["statement"])]
        for key, value in (
            ("positions", row["position"]),
            ("speakers", row["description"] or row["speakerLabel"]),
            ("speakerSlugs", _slug(row["speaker"]) if row["speaker"] else None),
            ("onBehalfOf", _slug(row["onBehalfOf"]) if row["onBehalfOf"] else None),
        ):
            if value is not None and str(value) not in statement[key]:
                statement[key].append(str(value))
        statement["date"] = str(row["statedOn"] or statement["date"])
        statement["capacity"] = str(row["capacityLabel"] or statement["capacity"])

    for row in _rows(store, _SPANS, graphs):
        owner, article = str(row["owner"]), article_of(row["g"])
        span = {"text": str(row["exact"]), "start": int(str(row["start"])), "end": int(str(row["end"]))}
        span["evidenceKind"] = str(row["kindLabel"] or "")
        if owner in statements:
            statement = statements[owner]
            detail = {
                **span,
                "positions": statement["positions"],
                "speaker": " | ".join(statement["speakers"]),
                "capacity": statement["capacity"],
                "date": statement["date"],
            }
            actors = holders_of(statement["positions"]) | set(statement["speakerSlugs"] + statement["onBehalfOf"])
            rows.entry(str(span["text"]), "quote", article, actors, detail)
        elif owner in conditions:
            conditions[owner].setdefault("quotes", []).append(span)
    for condition in conditions.values():
        detail = {"text": condition["text"], "types": condition["types"], "positions": [condition["position"]]}
        detail["quotes"] = condition.get("quotes", [])
        article = position_article.get(condition["position"], "")
        rows.entry(str(condition["text"]), "condition", article, holders_of([condition["position"]]), detail)
    for row in _rows(store, _ACTIONS, graphs):
        iri = str(row["position"])
        rows.entry(str(row["actionLabel"]), "label", article_of(row["g"]), holders_of([iri]), {"positions": [iri]})
    for article, about in articles.items():
        if about["headline"]:
            rows.entry(about["headline"], "headline", article, (), {"positions": []})
    return rows


def _index_actor_labels(db: sqlite3.Connection, store: EmbeddedStore) -> None:
    """The registry's actor names (labels and other names), as entries of no article."""
    _delete_articles(db, [""])
    result = store.select(_ACTOR_LABELS % (f"<{REGISTRY_GRAPH_IRI}>", ACTOR_NS))
    rows = IndexRows()
    for actor, label in dict.fromkeys(result.rows):  # distinct terms: a label in two languages is two
        slug = _slug(actor.value if actor else None)
        rows.entry(label.value if label else "", "label", "", [slug], {"actor": slug, "positions": []})
    write_rows(db, rows)


def _article_texts(store: Selecting, ids: list[str], annotation_files: Mapping[str, Path | str]) -> dict[str, str]:
    """The texts of the articles whose annotation file is known, as ingested (checked by SHA-256)."""
    known = [i for i in ids if i in annotation_files]
    if not known:
        return {}
    from kg.iris import source_file_iri

    files = {str(source_file_iri(i, "text")): i for i in known}
    texts: dict[str, str] = {}
    for row in _rows(store, _TEXT_FILES, " ".join(f"<{f}>" for f in files)):
        source_id = files[str(row["file"])]
        path = Path(annotation_files[source_id]).parent / str(row["name"])
        try:
            data = path.read_bytes()
        except OSError:
            continue  # the evidence view then shows the quote with its neighbouring words only
        if hashlib.sha256(data).hexdigest() == str(row["sha"]):
            texts[source_id] = unicodedata.normalize("NFC", data.decode("utf-8", errors="replace"))
    return texts


# -- reading -----------------------------------------------------------------------------------


def search_entries(
    location: Path, terms: Sequence[str], *, actor: str | None = None, kind: str | None = None, limit: int = 50
) -> list[Entry]:
    """Entries matching every term (a term also matches words it begins), best (bm25) first."""
    match = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
    parameters: list[object] = [match]
    if not kind and not actor:
        # Ranked and cut inside the full-text table, then joined: half the time of joining every
        # match first (a common word matches 27,000 entries of 10,000 articles: 41 ms, not 82).
        sql = (
            "SELECT e.id, e.kind, e.article, e.detail, best.score FROM (SELECT rowid, bm25(entries_fts) AS score "
            "FROM entries_fts WHERE entries_fts MATCH ? ORDER BY score, rowid LIMIT ?) AS best "
            "JOIN entries e ON e.id = best.rowid ORDER BY best.score, e.id"
        )
    else:
        sql = (
            "SELECT e.id, e.kind, e.article, e.detail, bm25(entries_fts) AS score FROM entries_fts "
            "JOIN entries e ON e.id = entries_fts.rowid WHERE entries_fts MATCH ?"
        )
        if kind:
            sql += " AND e.kind = ?"
            parameters.append(kind)
        if actor:
            sql += " AND instr(e.actors, ?) > 0"
            parameters.append(f" {actor} ")
        sql += " ORDER BY score, e.id LIMIT ?"
    parameters.append(limit)
    with connect(location, create=False) as db:
        return [Entry(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in db.execute(sql, parameters)]


def positions_by_iri(location: Path, iris: Iterable[str]) -> dict[str, IndexedPosition]:
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    with connect(location, create=False) as db:
        marks = ",".join("?" * len(wanted))
        rows = db.execute(f"SELECT iri, detail FROM positions WHERE iri IN ({marks})", wanted).fetchall()
    return {iri: IndexedPosition(**json.loads(detail)) for iri, detail in rows}


def articles_by_id(location: Path, ids: Iterable[str], *, with_text: bool = False) -> dict[str, dict[str, str]]:
    """Headline, outlet, published (date), context and, if asked and known, the text of articles."""
    wanted = sorted(set(ids))
    if not wanted or not index_path(location).is_file():
        return {}
    columns = "id, headline, outlet, published, context" + (", text" if with_text else "")
    with connect(location, create=False) as db:
        marks = ",".join("?" * len(wanted))
        cursor = db.execute(f"SELECT {columns} FROM articles WHERE id IN ({marks})", wanted)
        names = [d[0] for d in cursor.description]
        return {row[0]: {n: v for n, v in zip(names, row, strict=True) if v is not None} for row in cursor}
