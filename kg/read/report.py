"""``kg report``: an analyst's report of the store as one self-contained HTML page (or chart files).

The data come from the shipped named queries (:mod:`kg.read.report_data` says which), so a picture
and an answer of ``kg query`` never disagree; the charts are Vega-Lite specifications made with
Altair (:mod:`kg.read.report_charts`). The page carries the Vega JavaScript, its data and its
script inline, so it opens with no network (its Content-Security-Policy forbids any request); what
users put in labels and quotes is escaped (HTML) or written as JSON that cannot close its script
element, and the page's script builds the evidence view with text nodes only.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kg.read.report_charts import chart_specs, render_static, vega_script
from kg.read.report_data import Filters, ReportData, badge, collect, resolve_filters
from kg.store import EmbeddedStore

ASSETS = Path(__file__).resolve().parent / "assets"


def _json_for_script(value: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can close it or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(
    store: EmbeddedStore,
    *,
    actors: Sequence[str] = (),
    context: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    filter_form: bool = False,
) -> str:
    """The report as one self-contained HTML document (Vega inline, no network); ``filter_form``:
    with a form that asks the same page again with other filters (``kg serve``'s /report)."""
    filters = resolve_filters(store, actors, context, date_from, date_to)
    data = collect(store, filters)
    specs = {} if data.empty else chart_specs(data)
    e = html.escape
    page_data = {
        "cells": data.cells,
        "positions": {
            i: p for i, p in data.positions.items() if p["evidence"] or any(i in c["positions"] for c in data.cells)
        },
        "articles": data.articles,
        "specs": specs,
    }
    body: list[str] = [f"<h1>Positions KG report</h1>\n<p class='kg-filters'>Filters: {e(filters.describe())}</p>"]
    if filter_form:
        body.append(_filter_form(filters))
    body.append(_summary_html(data))
    if data.empty:
        body.append(
            "<p class='kg-empty'>The store holds no positions"
            + (" that match these filters" if filters.describe() != Filters().describe() else "")
            + ": nothing to chart. Ingest annotated articles with <code>kg ingest</code>.</p>"
        )
    else:
        body.append(_matrix_html(data))
        body.append(
            "<section id='evidence'><h2>Evidence</h2><div id='kg-evidence'><p>Click a cell of the stance matrix to see its conditions and quotes, marked in the article text.</p></div></section>"
        )
        body.append(
            "<section id='timeline'><h2>Timelines</h2><div id='chart-timeline' class='kg-chart'></div></section>"
        )
        body.append(_tensions_html(data))
    if data.left_out:
        body.append(
            "<section id='left-out'><h2>Left out</h2><ul>"
            + "".join(f"<li>{e(x)}</li>" for x in data.left_out)
            + "</ul></section>"
        )
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    script = (ASSETS / "report.js").read_text(encoding="utf-8")
    vega = vega_script() if specs else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>Positions KG report</title>\n<style>{css}</style>\n"
        + (f"<script>{vega}</script>\n" if vega else "")
        + "</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script type='application/json' id='kg-data'>{_json_for_script(page_data)}</script>\n"
        + f"<script>{script}</script>\n</body>\n</html>\n"
    )


def _filter_form(filters: Filters) -> str:
    """The served page's filters as a form (GET /report; the current ones filled in, escaped)."""
    e = html.escape

    def field(name: str, label: str, value: str, kind: str = "text") -> str:
        return f"<label>{label} <input type='{kind}' name='{name}' value='{e(value)}'></label> "

    return (
        "<form class='kg-filter-form' action='/report' method='get'>"
        + field("actor", "actor", ", ".join(filters.actors))
        + field("context", "context", filters.context or "")
        + field("from", "from", str(filters.date_from or ""), "date")
        + field("to", "to", str(filters.date_to or ""), "date")
        + "<button type='submit'>Show</button></form>"
    )


def _summary_html(data: ReportData) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in data.summary.items())
    return f"<section id='summary'><h2>Summary</h2><table class='kg-summary'>{rows}</table></section>"


SYMBOLS = {"positive": "▲", "negative": "▼", "mixed": "◆"}


def _matrix_html(data: ReportData) -> str:
    e = html.escape
    by_key = {(c["holder"], c["action"]): c for c in data.cells}
    head = "".join(f"<th scope='col'>{e(a)}</th>" for a in data.actions)
    rows = []
    for holder in data.holders:
        cells = []
        for action in data.actions:
            cell = by_key.get((holder, action))
            if cell is None:
                cells.append("<td></td>")
                continue
            badges = "".join(
                f" <span class='kg-badge' title='{e(t)}'>{e(badge(t))}</span>"
                for t in cell["conditionTypes"].split(", ")
                if t
            )
            symbol = SYMBOLS.get(cell["polarity"], "●")
            cells.append(
                f"<td class='kg-cell kg-{e(cell['polarity'])}'><button type='button' data-cell='{cell['cell']}' "
                f"aria-label='{e(holder)} — {e(action)}: {e(cell['stance'])}' "
                f"title='{e(cell['conditions'] or 'no condition')}'><span class='kg-symbol'>{symbol}</span> "
                f"<span class='kg-stance'>{e(cell['stance'])}</span>{badges}</button></td>"
            )
        rows.append(f"<tr><th scope='row'>{e(holder)}</th>{''.join(cells)}</tr>")
    legend = (
        "<p class='kg-legend'>▲ positive stance (blue), ▼ negative (orange), ◆ mixed; badges: condition types "
        "(initials; hover for the name). Click a cell for its conditions and quotes.</p>"
    )
    return (
        "<section id='matrix'><h2>Stance matrix</h2><div id='chart-matrix' class='kg-chart'></div>"
        f"{legend}<div class='kg-scroll'><table class='kg-matrix'><thead><tr><th>holder \\ action</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _tensions_html(data: ReportData) -> str:
    e = html.escape
    if not data.tensions:
        return "<section id='tensions'><h2>Tensions</h2><p>No tensions between the positions shown.</p></section>"
    rows = "".join(
        f"<tr><td>{e(t['holder'])}</td><td>{e(t['position'])}</td><td>{e(t['restrictions'])}</td>"
        f"<td>{e(t['otherHolders'])}</td><td>{e(t['other'])}</td><td>{e(t['otherRestrictions'])}</td><td>{e(t['basis'])}</td></tr>"
        for t in data.tensions
    )
    return (
        "<section id='tensions'><h2>Tensions</h2><div id='chart-tensions' class='kg-chart'></div>"
        "<table class='kg-tensions'><thead><tr><th>holder</th><th>position</th><th>its restrictions</th>"
        "<th>other holders</th><th>other position</th><th>their restrictions</th><th>why (basis)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def write_chart_files(
    store: EmbeddedStore,
    out_dir: Path,
    fmt: str,
    *,
    actors: Sequence[str] = (),
    context: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Path]:
    """The report's charts as SVG or PNG files in ``out_dir`` (one per chart), rendered without a browser."""
    filters = resolve_filters(store, actors, context, date_from, date_to)
    data = collect(store, filters)
    if data.empty:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in chart_specs(data).items():
        path = out_dir / f"{name}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(render_static(spec, fmt))
        tmp.replace(path)
        written.append(path)
    return written
