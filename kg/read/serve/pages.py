"""The HTML of ``kg serve``'s own pages: one skeleton, every piece of text escaped on the way in.

No page loads anything from another origin: styles are inline, the query editor's script is a file
of this package served from ``/static/``. Links are made only to http(s) IRIs (an IRI such as
``javascript:...`` is shown, never linked) and the project's own IRIs link to this server.
"""

from __future__ import annotations

import json
from html import escape

from rdflib.term import Literal, Node, URIRef

from kg import __version__
from kg.terms import BASE, curie

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 0 1.2rem 3rem; color: #1d232a; }
header { border-bottom: 1px solid #d0d7de; padding: .6rem 0; margin-bottom: 1rem; }
header a { margin-right: 1.1rem; }
a { color: #0b5cad; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1.2rem; }
th, td { border-bottom: 1px solid #e3e7eb; padding: .3rem .5rem; text-align: left; vertical-align: top; }
code, textarea, pre { font: 13px/1.4 ui-monospace, monospace; }
textarea { width: 100%; box-sizing: border-box; }
.term { margin: 1.4rem 0; padding-top: .4rem; border-top: 1px solid #eef1f4; }
.muted { color: #57606a; }
.error { color: #a40e26; white-space: pre-wrap; }
#results { overflow-x: auto; }
#answer td { min-width: 7rem; max-width: 36rem; }
"""

NAVIGATION = (
    ("/", "Home"),
    ("/query-editor", "SPARQL query"),
    ("/report", "Report"),
    ("/search", "Search"),
    ("/ontology", "Ontology"),
)


def page(title: str, body: str, *, scripts: tuple[str, ...] = (), refresh: int | None = None) -> str:
    """A whole page; ``title`` is text (escaped here), ``body`` is HTML built with :func:`escape`;
    ``refresh``: the browser loads the page again after that many seconds."""
    links = "".join(f'<a href="{href}">{escape(text)}</a>' for href, text in NAVIGATION)
    script_tags = "".join(f'<script src="{escape(src)}"></script>' for src in scripts)
    reload = f'<meta http-equiv="refresh" content="{int(refresh)}">' if refresh is not None else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{reload}'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{escape(title)} · Positions KG</title><style>{STYLE}</style></head>"
        f"<body><header>{links}</header><main><h1>{escape(title)}</h1>{body}</main>"
        f'<footer class="muted">positions-kg {escape(__version__)}, read-only</footer>{script_tags}</body></html>'
    )


def local_href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: the project's IRIs to this server, other http(s) IRIs as they are."""
    if iri.startswith(BASE):
        return "/" + iri[len(BASE) :]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def term_html(term: Node, label: str | None = None) -> str:
    """A term for display: an IRI as a link (its label or CURIE as text), a literal quoted, escaped."""
    if isinstance(term, URIRef):
        text = escape(label or curie(term))
        href = local_href(str(term))
        return f'<a href="{escape(href)}">{text}</a>' if href else f"<code>{text}</code>"
    if isinstance(term, Literal):
        extra = f' <span class="muted">@{escape(term.language)}</span>' if term.language else ""
        if term.datatype:
            extra = f' <span class="muted">({escape(curie(term.datatype))})</span>'
        return f"{escape(str(term))}{extra}"
    return f"<code>{escape(term.n3())}</code>"


def home(endpoint: str) -> str:
    body = (
        "<p>A read-only view of the Positions KG store: who said what, when, where, under which "
        "conditions, with the evidence.</p><ul>"
        '<li><a href="/query-editor">SPARQL query editor</a>: write a query, run it against '
        f"<code>{escape(endpoint)}</code> (SPARQL 1.1 Protocol, GET or POST).</li>"
        '<li><a href="/report">Report</a>: stance matrix, timelines and tensions, filtered by actor, '
        "context and dates (<code>/report?actor=SLUG&amp;context=EVENT&amp;from=DATE&amp;to=DATE</code>).</li>"
        '<li><a href="/search">Search</a> quotes, conditions and labels (<code>/search?q=TEXT</code>).</li>'
        '<li><a href="/ontology">The ontology</a> and its concept schemes; every project IRI '
        "(<code>/id/...</code>, <code>/vocab/...</code>) answers here as HTML, Turtle or JSON-LD.</li></ul>"
    )
    return page("Positions KG", body)


def search_form(text: str = "", actor: str = "", kind: str = "") -> str:
    kinds = "".join(
        f'<option value="{k}"{" selected" if k == kind else ""}>{k or "any text"}</option>'
        for k in ("", "quote", "condition", "label")
    )
    return (
        '<form action="/search" method="get"><input type="search" name="q" size="50" '
        f'value="{escape(text)}" aria-label="search text"> <input name="actor" size="16" placeholder="actor" '
        f'value="{escape(actor)}" aria-label="actor"> <select name="kind" aria-label="kind">{kinds}</select> '
        "<button>Search</button></form>"
    )


def editor() -> str:
    """The SPARQL query editor: the shipped named queries as examples, answers as a table."""
    from kg.read.queries import named_queries

    examples = [{"name": q.name, "question": q.question, "text": q.text} for q in named_queries().values()]
    body = (
        '<form id="editor"><p><label>Example: <select id="examples"><option value="">(write your own)</option>'
        '</select></label> <span id="question" class="muted"></span></p>'
        '<textarea id="query" name="query" rows="16" spellcheck="false" aria-label="SPARQL query">'
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20</textarea>"
        '<p><button id="run" type="submit">Run</button> <span id="state" class="muted"></span></p></form>'
        '<div id="results"></div>'
        f'<script id="named-queries" type="application/json">{script_json(examples)}</script>'
    )
    return page("SPARQL query", body, scripts=("/static/editor.js",))


def script_json(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def problem(title: str, message: str, *, refresh: int | None = None) -> str:
    return page(title, f'<p class="error">{escape(message)}</p>', refresh=refresh)
