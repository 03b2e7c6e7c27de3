"""Benchmark of the analyst's views: kg report (time, file size) and kg search (latency), with baselines.

    python bench/views_bench.py --store DIR [--searches 200] [--report-runs 3] [--json figures.json]
    python bench/views_bench.py --articles 1000 [--keep]     # generate (bench/generate.py) and ingest first

Measured in this process, on the store as ``kg report`` and ``kg search`` open it (read-only, on disk):

- ``kg report`` (render_report, the whole page): median wall time of ``--report-runs`` runs and the
  page's size. Baseline, same run: the one whole-corpus query 16 (positions-of-actor, unbound), the
  answer ``kg query positions-of-actor`` would print; the ratio says how many such answers the page costs.
- ``kg search``: p50/p95 over ``--searches`` searches (words taken, deterministically, from the
  store's condition texts and quotes: one, two or three words), after one warm-up search. Baseline, same
  run, interleaved: the same words looked up without the index, by a SPARQL scan of the condition
  texts and quotes (``FILTER(CONTAINS(LCASE(...)))``, every word), which is what Oxigraph alone offers.

- the live views (``--live``): a ``kg serve`` started on the store (127.0.0.1, a free port, stopped
  by its PID). Its time to prepare the unfiltered report; each top actor's ``/report?actor=`` the
  first time (computed); then ``--live-rounds`` rounds over the views (the unfiltered report, the
  actors' reports, ``/search`` of the search words, an actor's ``/id/`` page): p50/p95 per view.
  Baseline, same rounds, interleaved: ``ASK {}`` through the same server (its HTTP floor).

Targets (issue 15): report <= 60 s and < 20 MB at 10,000 articles; live views p95 <= 300 ms;
search p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.read.queries import find_query  # noqa: E402
from kg.read.report import render_report  # noqa: E402
from kg.read.search import search  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402
from kg.textindex import STOP_WORDS, fold  # noqa: E402

SCAN = """
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
PREFIX oa:  <http://www.w3.org/ns/oa#>
SELECT ?owner ?text WHERE {
  { ?owner gpo:conditionText ?text } UNION { ?owner gpo:hasEvidence/oa:hasSelector/oa:exact ?text }
  %s
} LIMIT 50"""

TEXTS = """
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
SELECT ?text WHERE { ?c gpo:conditionText ?text } LIMIT 5000"""


TOP_ACTORS = """
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
SELECT ?holder WHERE { ?position gpo:holder ?holder } GROUP BY ?holder ORDER BY DESC(COUNT(?position)) LIMIT 10"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def search_words(store: EmbeddedStore, count: int) -> list[str]:
    """``count`` searches of one to three meaningful words from the store's condition texts."""
    texts = [row[0].value for row in store.select(TEXTS).rows if row[0] is not None]
    chooser = random.Random(1)
    searches = []
    while texts and len(searches) < count:
        words = [w for w in re.findall(r"\w+", fold(chooser.choice(texts))) if w not in STOP_WORDS and len(w) > 2]
        if words:
            start = chooser.randrange(len(words))
            searches.append(" ".join(words[start : start + chooser.randint(1, 3)]))
    return searches


def scan(store: EmbeddedStore, text: str) -> int:
    """The baseline: the same words found by a SPARQL scan (every word, case folded)."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS]
    filters = " ".join(f'FILTER(CONTAINS(LCASE(STR(?text)), "{w}"))' for w in words)  # \\w+ only: no quoting issue
    return len(store.select(SCAN % filters).rows)


def live(location: Path, words: list[str], actors: list[str], rounds: int) -> dict[str, object]:
    """The live views through ``kg serve`` (see the module's docstring)."""
    import requests

    sys.path.insert(0, str(REPO / "tests"))
    from servers import free_port  # the tests' helper: a free port on 127.0.0.1

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(location), "--port", str(port), "--quiet"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )

    def get(path: str, **params: str) -> tuple[float, requests.Response]:
        began = time.perf_counter()
        answer = requests.get(base + path, params=params, timeout=900)
        return time.perf_counter() - began, answer

    try:
        while True:  # until the unfiltered report is prepared
            try:
                if not requests.get(f"{base}/status", timeout=60).json()["views"]["preparing"]:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None:
                raise SystemExit("kg serve stopped")
            time.sleep(0.5)
        figures: dict[str, object] = {"prepared_s": time.perf_counter() - started}
        first = []
        for slug in actors:
            took, answer = get("/report", actor=slug)
            while answer.status_code == 503 and "still being prepared" in answer.text:
                time.sleep(1)  # past the request's time limit: the server computes on
                more, answer = get("/report", actor=slug)
                took += 1 + more
            assert answer.status_code == 200, answer.text[:300]
            first.append(took)
        figures["actor_report_first_s"] = {"median": statistics.median(first), "max": max(first), "actors": len(first)}
        views: dict[str, list[float]] = {
            "report": [],
            "actor report": [],
            "search": [],
            "id page": [],
            "baseline ASK": [],
        }
        for round_ in range(rounds):
            for n, slug in enumerate(actors):
                for view, path, params in (
                    ("report", "/report", {}),
                    ("actor report", "/report", {"actor": slug}),
                    ("search", "/search", {"q": words[(round_ * len(actors) + n) % len(words)]}),
                    ("id page", f"/id/actor/{slug}", {}),
                    ("baseline ASK", "/query", {"query": "ASK {}"}),
                ):
                    took, answer = get(path, **params)
                    assert answer.status_code == 200, (path, params, answer.status_code)
                    views[view].append(took)
        figures["warm"] = {
            view: {"requests": len(t), "p50_ms": 1000 * statistics.median(t), "p95_ms": 1000 * percentile(t, 0.95)}
            for view, t in views.items()
        }
        figures["views_status"] = requests.get(f"{base}/status", timeout=60).json()["views"]
        return figures
    finally:
        server.terminate()
        server.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an ingested store (default: generate and ingest --articles)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--live", action="store_true", help="also measure the live views through kg serve")
    parser.add_argument("--live-rounds", type=int, default=10)
    parser.add_argument("--skip-report", action="store_true", help="leave out the kg report runs")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    location = args.store
    if location is None:
        folder = Path(tempfile.mkdtemp(prefix="views-bench-"))
        corpus, location = folder / "corpus", folder / "store"
        subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "generate.py"),
                "--articles",
                str(args.articles),
                "--out",
                str(corpus),
            ],
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "ingest", str(corpus), "--store", str(location)], check=True, cwd=REPO
        )
    figures: dict[str, object] = {"store": str(location)}
    with EmbeddedStore(location, read_only=True) as store:
        figures["quads"] = len(store)
        words = search_words(store, args.searches)
        search(store, words[0])  # warm-up (and builds the index if the store has none)
        scan(store, words[0])
        ours, theirs, hits = [], [], []
        for text in words:  # interleaved, so that both see the same machine load
            started = time.perf_counter()
            found = search(store, text, limit=20)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            scan(store, text)
            theirs.append(time.perf_counter() - started)
            hits.append(len(found))
        figures["search"] = {
            "searches": len(words),
            "p50_ms": 1000 * statistics.median(ours),
            "p95_ms": 1000 * percentile(ours, 0.95),
            "baseline_sparql_scan_p50_ms": 1000 * statistics.median(theirs),
            "baseline_sparql_scan_p95_ms": 1000 * percentile(theirs, 0.95),
            "searches_with_hits": sum(1 for h in hits if h),
        }
        print(json.dumps(figures["search"], indent=2), flush=True)
        query16 = find_query("positions-of-actor")
        reports, baselines, size, page = [], [], 0, ""
        for _ in range(0 if args.skip_report else args.report_runs):
            started = time.perf_counter()
            store.answer(query16.text, query16.bindings({}), fmt="tsv")
            baselines.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = render_report(store)
            reports.append(time.perf_counter() - started)
            size = len(page.encode("utf-8"))
        left_out = re.findall(r"<section id='left-out'><h2>Left out</h2><ul>(.*?)</ul>", page)
        figures["report"] = {
            "runs": len(reports),
            "median_s": statistics.median(reports) if reports else None,
            "max_s": max(reports, default=None),
            "size_mb": size / 1e6,
            "baseline_query16_unbound_median_s": statistics.median(baselines) if baselines else None,
            "left_out": re.sub(r"<[^>]+>", " | ", left_out[0]).strip(" |") if left_out else "",
        }
        print(json.dumps(figures["report"], indent=2), flush=True)
        actors = [row[0] for row in store.select(TOP_ACTORS).rows]
    if args.live:
        figures["live"] = live(
            location, words, [a.value.rsplit("/", 1)[1] for a in actors if a is not None], args.live_rounds
        )
        print(json.dumps(figures["live"], indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.store is None and not args.keep:
        import shutil

        shutil.rmtree(location.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
