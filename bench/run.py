"""Benchmark harness: ingest, validation, queries, loading into Oxigraph and memory, with baselines.

    python bench/run.py --sizes 1000,10000 [--repeat 3] [--json figures.json]

For each size it generates a synthetic corpus (bench/generate.py), measures, and prints one table
(measure, value, baseline, ratio, target, met?). Every figure and its baseline come from the same
run; values are medians of ``--repeat`` runs. Each measurement runs in a fresh subprocess (peak memory:
the summed PSS of its process group, workers included), in temporary folders under /tmp that are
removed afterwards (``--keep`` keeps them).
See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
KG = [PYTHON, "-m", "kg.cli"]
GIB = 1024**3
HOST = "127.0.0.1"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("KG_STORE", None)
    return env


# --------------------------------------------------------------------------------------------------
# Running subprocesses with a time limit and their peak memory
# --------------------------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss: int  # bytes
    timed_out: bool
    stdout: str = ""
    stderr: str = ""
    #: CPU the memory sampler spent (its own thread, in this process) and its passes.
    sampler_cpu_s: float = 0.0
    sampler_passes: int = 0


def run(
    cmd: list[str],
    *,
    timeout: float,
    stdout_path: Path | None = None,
    cwd: Path | None = None,
    sample_memory: bool = True,
) -> Run:
    """Run ``cmd`` (its own process group), killing it after ``timeout`` s; wall time and peak memory
    (the larger of the group's summed PSS and the largest process's RSS).

    ``sample_memory=False`` leaves out the group's sampling (:class:`_GroupMemory`): the peak is then
    the largest single process's RSS only, and the wall time is the command's own. Sampling is not
    free: at 10k articles each pass read the ingest's five processes' memory maps in 15-28 ms of
    CPU, ten times a second, on a machine of two cores the ingest keeps busy (BENCHMARKS.md, run Q).
    Runs timed against each other are taken without it, their memory in runs of their own."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out_tmp:
        out = open(stdout_path, "wb") if stdout_path else out_tmp  # noqa: SIM115 - closed in the finally below
        try:
            started = time.perf_counter()
            process = subprocess.Popen(cmd, stdout=out, stderr=err, env=_env(), cwd=cwd or REPO, start_new_session=True)
            killed = threading.Event()

            def kill() -> None:
                killed.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # the group we created for this child only

            timer = threading.Timer(timeout, kill)
            timer.start()
            sampler = _GroupMemory(process.pid) if sample_memory else None
            try:
                _, status, usage = os.wait4(process.pid, 0)
            except BaseException:  # interrupted (Ctrl-C, SIGTERM): take the child's group down with us
                kill()
                os.wait4(process.pid, 0)
                raise
            finally:
                timer.cancel()
                if sampler is not None:
                    sampler.stop()
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdout_path:
                out.close()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        stdout = ""
        if not stdout_path:
            out_tmp.seek(0)
            stdout = out_tmp.read().decode("utf-8", "replace")
    peak = max(usage.ru_maxrss * 1024, sampler.peak if sampler is not None else 0)
    result = Run(seconds, process.returncode, peak, killed.is_set(), stdout, stderr)
    if sampler is not None:
        result.sampler_cpu_s, result.sampler_passes = sampler.cpu, sampler.passes
    return result


def _pss(process: Path) -> int:
    for line in (process / "smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise ValueError("no Pss line")


class _GroupMemory:
    """Peak of the summed memory of every process in a process group, sampled every 0.1 s.

    ``wait4`` reports only the largest single process; kg ingest and kg validate run worker
    processes (children of a fork server), so the bench sums the whole group. It sums PSS
    (proportional set size: a page shared by n forked processes counts 1/n in each), which is what
    the group really occupies; plain RSS would count the shared pages once per process.
    """

    def __init__(self, group: int) -> None:
        self.group, self.peak = group, 0
        self.cpu, self.passes = 0.0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            started, total = time.thread_time(), 0
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    stat = Path(entry.path, "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[2]) == self.group:  # field 5: process group
                        total += _pss(Path(entry.path))
                except (OSError, ValueError, IndexError):
                    continue  # the process ended meanwhile
            self.peak = max(self.peak, total)
            self.cpu += time.thread_time() - started
            self.passes += 1

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def worker_lines(which: str, limit: float, **kwargs: Any) -> tuple[list[dict[str, Any]], Run]:
    """Run one of this file's workers in a fresh interpreter (killed after ``limit`` s); every JSON
    line it printed, also those before it died (a worker that answers as it goes)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "stdout"
        result = run(
            [PYTHON, str(Path(__file__).resolve()), "--worker", which, json.dumps(kwargs)],
            timeout=limit,
            stdout_path=out,
        )
        text = out.read_text(encoding="utf-8", errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{") and line.endswith("}")], result


def worker(which: str, limit: float, **kwargs: Any) -> tuple[dict[str, Any] | None, Run]:
    """Run one of this file's workers; its (last) JSON answer, None if it failed or timed out."""
    lines, result = worker_lines(which, limit, **kwargs)
    ok = result.returncode == 0 and not result.timed_out and lines
    return (lines[-1] if ok else None), result


# --------------------------------------------------------------------------------------------------
# Workers (run in a fresh interpreter by ``worker``; print one JSON line)
# --------------------------------------------------------------------------------------------------


def w_dump(store: str, out: str) -> dict[str, Any]:
    """Count the store's quads and write them as N-Quads (the baselines' input)."""
    import pyoxigraph as ox

    db = ox.Store.read_only(store)
    prefix = "https://w3id.org/positions-kg/graph/article/"
    article_quads = sum(
        1 for q in db if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix)
    )
    with open(out, "wb") as handle:
        db.dump(handle, format=ox.RdfFormat.N_QUADS)
    return {"quads": len(db), "article_quads": article_quads}


def w_bulkload(nquads: str, location: str) -> dict[str, Any]:
    """The ceiling: pyoxigraph's bulk loader, N-Quads into an on-disk store."""
    import pyoxigraph as ox

    started = time.perf_counter()
    db = ox.Store(location)
    db.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    db.flush()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "quads": len(db)}


def _rdflib_terms():
    sys.path.insert(0, str(REPO))
    from kg.store import to_rdflib

    return to_rdflib


def w_pyshacl(nquads: str) -> dict[str, Any]:
    """The validation baseline: one pySHACL run over the whole graph (all graphs but provenance)."""
    import pyoxigraph as ox
    import pyshacl
    from rdflib import Graph

    sys.path.insert(0, str(REPO))
    from kg.shacl.shapes import shapes_graph

    to_rdflib = _rdflib_terms()
    data = Graph()  # rdflib's default (in-memory) store
    provenance = "https://w3id.org/positions-kg/graph/provenance"
    for quad in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        if getattr(quad.graph_name, "value", None) != provenance:
            data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    shapes = shapes_graph()
    started = time.perf_counter()
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True
    )
    seconds = time.perf_counter() - started
    from rdflib.namespace import SH

    violations = sum(1 for r in report.subjects(SH.resultSeverity, SH.Violation))
    return {"seconds": seconds, "triples": len(data), "conforms": bool(conforms), "violations": violations}


def _classify(text: str) -> str:
    """``aggregate`` (GROUP BY or an aggregate function) or ``join`` (two or more triple patterns)."""
    body = re.sub(r"#[^\n]*", "", text)
    body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)
    if re.search(r"\bGROUP\s+BY\b|\b(COUNT|SUM|AVG|MIN|MAX|GROUP_CONCAT|SAMPLE)\s*\(", body, re.I):
        return "aggregate"
    patterns = len(re.findall(r"[.;,]\s*(?:\n|\}|$)", body)) + body.count("{")
    return "join" if patterns >= 2 else "simple"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _time_query(execute, runs: int, budget: float) -> dict[str, Any]:
    """Warm up once, then time ``runs`` executions; p50/p95 in ms.

    A query slower than ``budget`` seconds is not run again: its first (cold) run is the figure.
    """
    started = time.perf_counter()
    rows = execute()
    first = time.perf_counter() - started
    times: list[float] = []
    if first <= budget:
        for _ in range(runs):
            if times and sum(times) + first > budget:
                break
            started = time.perf_counter()
            execute()
            times.append(time.perf_counter() - started)
    if not times:
        times = [first]
    return {
        "rows": rows,
        "runs": len(times),
        "p50_ms": _percentile(times, 0.5) * 1000,
        "p95_ms": _percentile(times, 0.95) * 1000,
    }


class _QueryTimeout(Exception):
    pass


# The question an analyst asks at scale, for the queries that can be narrowed: one actor (Germany holds
# about 1.6% of the synthetic positions, Wadephul speaks in about 0.2% of the statements), one action
# type, one phrase. Each such query is measured both as shipped (its default parameters: the
# whole-corpus report) and narrowed by the parameters it declares among these.
ANALYST_PARAMETERS = {
    "holder": "germany",
    "speaker": "johann-wadephul",
    "party": "germany",
    "actionType": "strike",
    "text": "proportionate",
}


def query_cases(query: Any) -> list[dict[str, str]]:
    """The parameter sets a query is measured with: its defaults, then narrowed if it can be."""
    narrowed = {name: value for name, value in ANALYST_PARAMETERS.items() if name in query.parameters}
    return [{}, narrowed] if narrowed else [{}]


def case_label(name: str, given: dict[str, str]) -> str:
    return name + "".join(f" {key}={value}" for key, value in given.items())


def _time_answer(db: Any, text: str, bindings: dict[str, Any], runs: int, budget: float) -> dict[str, Any]:
    """Time a query answered as ``kg serve`` and ``kg query --format csv|json`` answer it: Oxigraph
    evaluates it and writes the whole answer in a W3C results format (``EmbeddedStore.answer``, no
    rdflib term per cell). TSV, because its rows are its lines (it escapes line breaks in literals)."""
    return _time_query(lambda: db.answer(text, bindings, fmt="tsv").count(b"\n") - 1, runs, budget)


def w_query_oxigraph(store: str, name: str, given: dict[str, str], runs: int, budget: float) -> dict[str, Any]:
    """One shipped query on the embedded store (on disk, as ``kg query`` reads it)."""
    sys.path.insert(0, str(REPO))
    from kg.read.queries import named_queries
    from kg.store import EmbeddedStore

    query = named_queries()[name]
    with EmbeddedStore(store, read_only=True) as db:
        return _time_answer(db, query.text, query.bindings(given), runs, budget)


def w_queries_memory(store: str, cases: list[list[Any]], runs: int, budget: float, timeout: float) -> dict[str, Any]:
    """Queries on an in-memory snapshot of the store (``kg serve --in-memory``), read once.

    Prints one JSON line when the snapshot is read, then one per query case as it is done. A case that
    takes longer than ``timeout`` s ends the process (SIGALRM's default action: an Oxigraph query
    cannot be interrupted from Python); the parent starts it again with the cases left.
    """
    sys.path.insert(0, str(REPO))
    from kg.read.queries import named_queries
    from kg.store import EmbeddedStore

    queries = named_queries()
    started = time.perf_counter()
    snapshot = EmbeddedStore(store, in_memory=True)
    resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print(
        json.dumps(
            {"_read_seconds": time.perf_counter() - started, "_quads": len(snapshot), "_resident_bytes": resident}
        ),
        flush=True,
    )
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for name, given in cases:
        query = queries[name]
        signal.setitimer(signal.ITIMER_REAL, timeout)
        answer = _time_answer(snapshot, query.text, query.bindings(given), runs, budget)
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(json.dumps({"_case": case_label(name, given), **answer}), flush=True)
    return {"_done": True}


def _fix_rdflib_distinct_aggregates() -> None:
    """Let rdflib skip unbound values in ``AGG(DISTINCT ?v)``, as SPARQL 1.1 and Oxigraph do.

    rdflib raises NotBoundError there instead (RDFLib/rdflib#716, #2229, open), so without this the
    baseline cannot run queries that aggregate over OPTIONAL values at all. The fix only skips the
    row for that one aggregate; it makes rdflib neither faster nor slower.
    """
    from rdflib.plugins.sparql import aggregates
    from rdflib.plugins.sparql.sparql import NotBoundError

    distinct_test = aggregates.Accumulator.use_row

    def use_row(self: Any, row: Any) -> bool:
        try:
            return distinct_test(self, row)
        except NotBoundError:
            return False

    aggregates.Accumulator.use_row = use_row


def selected_queries(wanted: str) -> dict[str, Any]:
    """The shipped queries named (or numbered) in ``wanted`` (comma-separated; empty: all of them)."""
    from kg.read.queries import named_queries

    picked = {part.strip() for part in wanted.split(",") if part.strip()}
    return {
        name: query
        for name, query in named_queries().items()
        if not picked or name in picked or query.path.stem.split("_", 1)[0] in picked
    }


def w_queries_rdflib(nquads: str, runs: int, budget: float, timeout: float, wanted: str = "") -> dict[str, Any]:
    """The query baseline: the same queries and bindings on an rdflib in-memory Dataset (union default graph)."""
    from rdflib import Dataset

    sys.path.insert(0, str(REPO))
    _fix_rdflib_distinct_aggregates()
    queries = selected_queries(wanted)
    to_rdflib = _rdflib_terms()
    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(nquads, format="nquads")
    load_seconds = time.perf_counter() - started

    def alarm(signum: int, frame: Any) -> None:
        raise _QueryTimeout

    signal.signal(signal.SIGALRM, alarm)
    out: dict[str, Any] = {"_load_seconds": load_seconds}
    for name, query in queries.items():
        for given in query_cases(query):
            # kg binds pyoxigraph's terms; rdflib's query engine takes its own
            label, bindings = case_label(name, given), {k: to_rdflib(v) for k, v in query.bindings(given).items()}
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                out[label] = _time_query(
                    lambda query=query, bindings=bindings: len(list(dataset.query(query.text, initBindings=bindings))),
                    runs,
                    budget,
                )
            except _QueryTimeout:
                out[label] = {"timeout": timeout}
            except Exception as err:  # rdflib fails on some queries: report it, go on with the others
                out[label] = {"error": f"{type(err).__name__}: {err}"[:200]}
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    return out


WORKERS = {
    "dump": w_dump,
    "bulkload": w_bulkload,
    "pyshacl": w_pyshacl,
    "query-oxigraph": w_query_oxigraph,
    "queries-memory": w_queries_memory,
    "queries-rdflib": w_queries_rdflib,
}


# --------------------------------------------------------------------------------------------------
# The Oxigraph server (for kg load)
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    beside = Path(PYTHON).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1 and a free port; stopped by its PID."""

    def __init__(self, location: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = open(location.with_suffix(".log"), "wb")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"{HOST}:{self.port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def render(size: int, rows: list[Row]) -> str:
    header = ("measure", "value", "baseline", "ratio", "target", "met?")
    cells = [header] + [
        (r.measure, r.value, r.baseline, r.ratio, r.target, "-" if r.met is None else ("yes" if r.met else "NO"))
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [f"== {size} articles =="]
    for index, cell in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=False)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.measure}: {r.note}" for r in rows if r.note]
    if notes:
        lines.append("notes:")
        lines.extend(notes)
    return "\n".join(lines) + "\n"


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def secs(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:,.1f} s"


def median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------

SUMMARY = re.compile(r"(\d+) stored, (\d+) invalid, (\d+) with input errors")


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="kg-bench-", dir=args.tmp))
        self.figures: dict[str, Any] = {}
        self.ref: dict[str, Any] = {}

    def enough(self, seconds: list[float]) -> bool:
        """Stop repeating a measurement once its runs took ``--repeat-budget`` seconds together."""
        return sum(seconds) >= self.args.repeat_budget

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def generate(self, size: int) -> Path:
        corpus = self.work / f"corpus-{size}"
        if not corpus.exists():
            self.log(f"generating {size} articles")
            result = run(
                [
                    PYTHON,
                    str(BENCH / "generate.py"),
                    "--articles",
                    str(size),
                    "--seed",
                    str(self.args.seed),
                    "--out",
                    str(corpus),
                ],
                timeout=self.args.timeout,
            )
            if result.returncode != 0:
                raise SystemExit(f"bench/generate.py failed:\n{result.stderr}")
        return corpus

    # -- ingest ----------------------------------------------------------------------------------

    def ingest(self, size: int, corpus: Path) -> dict[str, Any]:
        runs: list[Run] = []
        store = None
        summary = None
        for attempt in range(self.args.repeat):
            if store is not None:
                shutil.rmtree(store, ignore_errors=True)
            store = self.work / f"store-{size}"
            self.log(f"ingest {size} articles, run {attempt + 1}/{self.args.repeat}")
            result = run([*KG, "ingest", str(corpus), "--store", str(store)], timeout=self.args.timeout)
            runs.append(result)
            match = SUMMARY.search(result.stderr)
            summary = tuple(int(x) for x in match.groups()) if match else None
            if result.timed_out or summary is None or self.enough([r.seconds for r in runs]):
                break
        last = runs[-1]
        violations = len(re.findall(r"^\s+Violation\s", last.stderr, re.M))
        warnings = len(re.findall(r"^\s+Warning\s", last.stderr, re.M))
        return {
            "store": store,
            "runs": runs,
            "summary": summary,
            "violations": violations,
            "warnings": warnings,
            "ok": not last.timed_out and summary is not None,
            "stderr_tail": last.stderr[-3000:],
        }

    def rows_ingest(
        self, size: int, ingest: dict[str, Any], dump: dict[str, Any] | None, ceiling: float | None
    ) -> list[Row]:
        runs: list[Run] = ingest["runs"]
        rows = []
        summary = ingest["summary"]
        if not ingest["ok"]:
            why = f"timed out after {self.args.timeout:.0f} s" if runs[-1].timed_out else "failed"
            tail = ingest["stderr_tail"].strip().splitlines()[-3:]
            rows.append(Row("ingest", f"{why}", met=False, note=" | ".join(tail)))
            return rows
        stored, invalid, errors = summary
        seconds = median([r.seconds for r in runs])
        quads = dump["quads"] if dump else 0
        rows.append(
            Row(
                "corpus check (kg ingest)",
                f"{stored} stored, {invalid} invalid, {errors} errors",
                target="all stored, 0 violations",
                met=stored == size and invalid == 0 and errors == 0 and ingest["violations"] == 0,
                note=f"{ingest['violations']} violation(s), {ingest['warnings']} warning(s) reported; "
                f"{quads:,} quads in the store ({dump['article_quads'] / max(size, 1):.0f} per article)"
                if dump
                else "",
                data={
                    "stored": stored,
                    "invalid": invalid,
                    "errors": errors,
                    "violations": ingest["violations"],
                    "warnings": ingest["warnings"],
                },
            )
        )
        rows.append(
            Row(
                "ingest time",
                secs(seconds),
                data={"seconds": [r.seconds for r in runs]},
                note=f"runs: {', '.join(secs(r.seconds) for r in runs)}",
            )
        )
        rows.append(Row("ingest articles/s", fmt(size / seconds, 1), data={"articles_per_s": size / seconds}))
        tps = quads / seconds
        row = Row("ingest triples/s", fmt(tps), data={"triples_per_s": tps, "quads": quads})
        if ceiling:
            row.baseline = f"{fmt(ceiling)} (bulk load)"
            row.ratio = f"{tps / ceiling:.1%}"
            row.target = ">= 10% of ceiling"
            row.met = tps / ceiling >= 0.10
        rows.append(row)
        return rows

    # -- baselines -------------------------------------------------------------------------------

    def bulkload(self, nquads: Path, quads: int) -> tuple[float | None, list[float]]:
        times = []
        for attempt in range(self.args.repeat):
            location = self.work / f"bulk-{attempt}"
            answer, result = worker("bulkload", self.args.timeout, nquads=str(nquads), location=str(location))
            shutil.rmtree(location, ignore_errors=True)
            if answer is None:
                self.log(f"bulk load failed: {result.stderr[-500:]}")
                return None, times
            times.append(answer["seconds"])
            if self.enough(times):
                break
        return quads / median(times), times

    def pyshacl_baseline(self, nquads: Path) -> dict[str, Any]:
        times, last = [], None
        for attempt in range(self.args.baseline_repeat or self.args.repeat):
            self.log(f"pySHACL baseline, run {attempt + 1}")
            answer, result = worker("pyshacl", self.args.timeout, nquads=str(nquads))
            if answer is None:
                return {"ok": False, "timed_out": result.timed_out, "error": result.stderr[-500:], "times": times}
            times.append(answer["seconds"])
            last = answer
            if self.enough(times):
                break
        return {"ok": True, "seconds": median(times), "times": times, **(last or {})}

    # -- validate --------------------------------------------------------------------------------

    def validate(self, store: Path) -> dict[str, Any]:
        runs = []
        report = self.work / "validate.json"
        for attempt in range(self.args.repeat):
            self.log(f"kg validate, run {attempt + 1}/{self.args.repeat}")
            result = run(
                [*KG, "validate", "--store", str(store), "--format", "json"],
                timeout=self.args.timeout,
                stdout_path=report,
            )
            runs.append(result)
            if result.timed_out or result.returncode not in (0, 1):
                return {"ok": False, "runs": runs, "error": result.stderr[-500:]}
            if self.enough([r.seconds for r in runs]):
                break
        try:
            parsed = json.loads(report.read_text())
        except (OSError, ValueError):
            parsed = {}
        return {
            "ok": True,
            "runs": runs,
            "seconds": median([r.seconds for r in runs]),
            "violations": parsed.get("violations"),
            "warnings": parsed.get("warnings"),
        }

    # -- queries ---------------------------------------------------------------------------------

    def queries(
        self, store: Path, nquads: Path
    ) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None, str]:
        """Each query on the embedded store, on its in-memory snapshot, then the rdflib baseline."""
        sys.path.insert(0, str(REPO))
        ox: dict[str, Any] = {}
        cases = [
            (name, query, given)
            for name, query in selected_queries(self.args.queries).items()
            for given in query_cases(query)
        ]
        for name, query, given in cases:
            label = case_label(name, given)
            self.log(f"query {label} on the embedded store")
            # Each in its own process: an Oxigraph query cannot be interrupted.
            answer, result = worker(
                "query-oxigraph",
                self.args.query_timeout,
                store=str(store),
                name=name,
                given=given,
                runs=self.args.query_runs,
                budget=self.args.query_budget,
            )
            if answer is None:
                answer = (
                    {"timeout": self.args.query_timeout}
                    if result.timed_out
                    else {"error": result.stderr.strip().splitlines()[-1][:200] if result.stderr.strip() else "failed"}
                )
            ox[label] = {**answer, "kind": _classify(query.text), "file": query.path.name}
        memory = None if "queries-memory" in self.args.skip else self.queries_in_memory(store, cases)
        if "queries-baseline" in self.args.skip:
            return ox, memory, None, "rdflib baseline skipped (--skip queries-baseline)"
        self.log("queries on an rdflib Dataset (baseline)")
        rd_answer, rd_run = worker(
            "queries-rdflib",
            self.args.timeout,
            nquads=str(nquads),
            wanted=self.args.queries,
            runs=self.args.baseline_query_runs,
            budget=self.args.query_budget,
            timeout=self.args.baseline_query_timeout,
        )
        note = "" if rd_answer else f"rdflib baseline failed: {'timeout' if rd_run.timed_out else rd_run.stderr[-300:]}"
        return ox, memory, rd_answer, note

    def queries_in_memory(self, store: Path, cases: list[tuple[str, Any, dict[str, str]]]) -> dict[str, Any]:
        """The same cases on an in-memory snapshot (``kg serve --in-memory``): one process reads the
        snapshot once and runs the cases in turn; one that times out ends it, and a new process goes
        on with the cases after it."""
        answers: dict[str, Any] = {"_snapshot": {}}
        left = list(cases)
        while left:
            self.log(f"{len(left)} queries on an in-memory snapshot")
            lines, result = worker_lines(
                "queries-memory",
                self.args.timeout,
                store=str(store),
                cases=[(name, given) for name, _, given in left],
                runs=self.args.query_runs,
                budget=self.args.query_budget,
                timeout=self.args.query_timeout,
            )
            snapshot = answers["_snapshot"]
            snapshot.setdefault("peak_bytes", []).append(result.max_rss)
            for line in lines:
                if "_read_seconds" in line:
                    snapshot.setdefault("read_seconds", []).append(line["_read_seconds"])
                    snapshot["quads"], snapshot["resident_bytes"] = line["_quads"], line["_resident_bytes"]
            done = {line["_case"]: line for line in lines if "_case" in line}
            for name, query, given in list(left):
                label = case_label(name, given)
                if label in done:
                    answers[label] = {**done[label], "kind": _classify(query.text), "file": query.path.name}
                    left.remove((name, query, given))
            if not left or any("_done" in line for line in lines):
                break
            if not any("_read_seconds" in line for line in lines):  # the snapshot itself failed
                answers["_snapshot"]["error"] = result.stderr.strip()[-300:] or f"exit {result.returncode}"
                break
            name, query, given = left.pop(0)  # the case it died in
            timed_out = result.returncode == -signal.SIGALRM
            answers[case_label(name, given)] = {
                **(
                    {"timeout": self.args.query_timeout}
                    if timed_out
                    else {"error": result.stderr.strip()[-200:] or f"exit {result.returncode}"}
                ),
                "kind": _classify(query.text),
                "file": query.path.name,
            }
        return answers

    def rows_memory_queries(self, memory: dict[str, Any], rd: dict[str, Any] | None) -> list[Row]:
        snapshot = memory.pop("_snapshot")
        if "read_seconds" not in snapshot:
            return [
                Row("in-memory snapshot (kg serve --in-memory)", "failed", met=False, note=snapshot.get("error", ""))
            ]
        resident, peak = snapshot["resident_bytes"], max(snapshot["peak_bytes"])
        row = Row(
            "in-memory snapshot (kg serve --in-memory): read time",
            secs(median(snapshot["read_seconds"])),
            note=f"{snapshot['quads']:,} quads; {resident / 2**20:,.0f} MiB resident once read "
            f"({resident / snapshot['quads']:,.0f} bytes per quad); peak of the query processes "
            f"{peak / 2**20:,.0f} MiB (answers held for sorting and grouping included)",
            data=snapshot,
        )
        return [row, *self.rows_queries(memory, rd, where=" in memory")]

    def rows_queries(self, ox: dict[str, Any], rd: dict[str, Any] | None, where: str = "") -> list[Row]:
        """One row per query case; ``where`` names the engine when it is not the on-disk store."""
        rows = []
        for name, q in ox.items():
            base = (rd or {}).get(name)
            if "error" in q:
                rows.append(Row(f"query {q['file'].split('_')[0]} {name}{where}", "failed", met=False, note=q["error"]))
                continue
            if "timeout" in q:
                base_text = (
                    "-"
                    if base is None
                    else (
                        f"p50 {base['p50_ms']:,.1f} ms"
                        if "p50_ms" in base
                        else "rdflib failed"
                        if "error" in base
                        else f"> {base['timeout']:.0f} s (timeout)"
                    )
                )
                rows.append(
                    Row(
                        f"query {q['file'].split('_')[0]} {name}{where} ({q['kind']})",
                        f"> {q['timeout']:.0f} s (timeout)",
                        base_text,
                        target=">= 1x faster",
                        met=False,
                        data={"oxigraph": q, "rdflib": base},
                    )
                )
                continue
            measure = f"query {q['file'].split('_')[0]} {name}{where} ({q['kind']}, {q['rows']:,} rows)"
            value = f"p50 {q['p50_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms"
            need = 10.0 if q["kind"] in ("aggregate", "join") else 1.0
            targets = [f">= {need:.0f}x faster"]
            met = True
            if q["rows"] <= 1000:
                targets.append("p95 <= 100 ms")
                met = q["p95_ms"] <= 100
            row = Row(measure, value, target="; ".join(targets), data={"oxigraph": q, "rdflib": base})
            if base is None:
                row.baseline = "-"
                row.met = met if q["rows"] <= 1000 else None
            elif "error" in base:
                row.baseline = "rdflib failed"
                row.met = met if q["rows"] <= 1000 else None
                row.note = f"rdflib: {base['error']}"
            elif "timeout" in base:
                row.baseline = f"> {base['timeout']:.0f} s (timeout)"
                speedup = base["timeout"] * 1000 / q["p50_ms"]
                row.ratio = f">= {speedup:,.0f}x"
                row.met = met and speedup >= need
            else:
                speedup = base["p50_ms"] / q["p50_ms"]
                row.baseline = f"p50 {base['p50_ms']:,.1f} ms"
                row.ratio = f"{speedup:,.1f}x"
                row.met = met and speedup >= need
                if base["rows"] != q["rows"]:
                    row.note = f"rdflib answers {base['rows']:,} rows, Oxigraph {q['rows']:,}"
            rows.append(row)
        return rows

    # -- kg load ---------------------------------------------------------------------------------

    def load(self, store: Path, nquads: Path, quads: int) -> Row:
        if "load" in self.args.skip:
            return Row("kg load triples/s", "skipped", note="--skip load")
        check = run([*KG, "load", "--help"], timeout=60)
        if check.returncode != 0:
            return Row(
                "kg load triples/s",
                "skipped",
                note=f"'kg load' is not available in this checkout ('kg load --help' exit {check.returncode})",
            )
        binary = oxigraph_binary()
        if not binary:
            return Row("kg load triples/s", "skipped", note="no oxigraph binary (pip install oxigraph)")
        times, base_times, failure = [], [], ""
        repeat = self.args.load_repeat or self.args.repeat
        for attempt in range(repeat):
            location = self.work / f"server-{attempt}"
            self.log(f"kg load into oxigraph serve, run {attempt + 1}/{repeat}")
            server = OxigraphServer(location)
            try:
                result = run(
                    [*KG, "load", "--endpoint", server.url, "--preset", "oxigraph", "--quiet", "--store", str(store)],
                    timeout=self.args.timeout,
                )
            finally:
                server.stop()
                shutil.rmtree(location, ignore_errors=True)
                location.with_suffix(".log").unlink(missing_ok=True)
            if result.returncode != 0 or result.timed_out:
                failure = "timed out" if result.timed_out else f"exit {result.returncode}: {result.stderr[-300:]}"
                break
            times.append(result.seconds)
            location = self.work / f"oxload-{attempt}"
            result = run(
                [binary, "load", "--location", str(location), "--file", str(nquads)], timeout=self.args.timeout
            )
            shutil.rmtree(location, ignore_errors=True)
            if result.returncode != 0:
                failure = f"oxigraph load exit {result.returncode}: {result.stderr[-300:]}"
                break
            base_times.append(result.seconds)
            if self.enough([a + b for a, b in zip(times, base_times, strict=False)]):
                break
        if failure or not times:
            return Row("kg load triples/s", "failed", met=False, note=failure)
        tps, base = quads / median(times), quads / median(base_times)
        return Row(
            "kg load triples/s",
            fmt(tps),
            f"{fmt(base)} (oxigraph load)",
            f"{tps / base:.1%}",
            ">= 50% of baseline",
            tps / base >= 0.5,
            note=f"kg load {secs(median(times))} incl. its per-graph verification; oxigraph load "
            f"{secs(median(base_times))}",
            data={"kg_load_seconds": times, "oxigraph_load_seconds": base_times, "quads": quads},
        )

    # -- one size --------------------------------------------------------------------------------

    def size(self, size: int) -> list[Row]:
        corpus = self.generate(size)
        ingest = self.ingest(size, corpus)
        rows: list[Row] = []
        if not ingest["ok"]:
            rows += self.rows_ingest(size, ingest, None, None)
            rows.append(self.memory_row(size, ingest))
            return rows
        store: Path = ingest["store"]
        nquads = self.work / f"data-{size}.nq"
        dump, result = worker("dump", self.args.timeout, store=str(store), out=str(nquads))
        if dump is None:
            raise SystemExit(f"could not dump the store: {result.stderr[-500:]}")
        self.log(f"bulk-load baseline ({dump['quads']:,} quads)")
        ceiling, _ = self.bulkload(nquads, dump["quads"])
        rows += self.rows_ingest(size, ingest, dump, ceiling)
        rows.append(self.memory_row(size, ingest))

        if "validate" not in self.args.skip:
            rows += self.validation_rows(size, store, nquads, dump)
        if "queries" not in self.args.skip:
            ox, memory, rd, note = self.queries(store, nquads)
            query_rows = self.rows_queries(ox, rd)
            if note and query_rows:
                query_rows[0].note = (query_rows[0].note + "; " if query_rows[0].note else "") + note
            rows += query_rows
            if memory is not None:
                rows += self.rows_memory_queries(memory, rd)
        rows.append(self.load(store, nquads, dump["quads"]))
        if not self.args.keep:
            shutil.rmtree(store, ignore_errors=True)
            nquads.unlink(missing_ok=True)
        return rows

    def memory_row(self, size: int, ingest: dict[str, Any]) -> Row:
        peak = max(r.max_rss for r in ingest["runs"])
        self.figures.setdefault("_peaks", {})[size] = peak
        row = Row(
            "ingest peak memory (PSS, all processes)",
            f"{peak / 2**20:,.0f} MiB",
            target="< 1 GiB",
            met=peak < GIB,
            data={"max_rss_bytes": [r.max_rss for r in ingest["runs"]]},
        )
        ref_peak = self.figures["_peaks"].get(self.args.ref_size)
        if ref_peak and size > self.args.ref_size:
            row.baseline = f"{ref_peak / 2**20:,.0f} MiB at {self.args.ref_size}"
            row.ratio = f"{peak / ref_peak:.2f}x"
            row.target = "<= 2x ref, < 1 GiB"
            row.met = peak <= 2 * ref_peak and peak < GIB
        return row

    def validation_rows(self, size: int, store: Path, nquads: Path, dump: dict[str, Any]) -> list[Row]:
        rows = []
        validated = self.validate(store)
        if size == self.args.ref_size and "validate-baseline" not in self.args.skip:
            self.ref["baseline"] = self.pyshacl_baseline(nquads)
        if not validated["ok"]:
            why = "timed out" if validated["runs"][-1].timed_out else "failed"
            rows.append(Row("kg validate time", why, met=False, note=validated.get("error", "")[-300:]))
            return rows
        seconds = validated["seconds"]
        if size == self.args.ref_size:
            self.ref["validate"] = seconds
        row = Row(
            "kg validate time",
            secs(seconds),
            data={"seconds": [r.seconds for r in validated["runs"]], "violations": validated["violations"]},
            note=f"{validated['violations']} violation(s), {validated['warnings']} warning(s); "
            f"{dump['quads'] / seconds:,.0f} store triples/s",
        )
        base = self.ref.get("baseline")
        if base and size == self.args.ref_size:
            if base["ok"]:
                row.baseline = f"{secs(base['seconds'])} (pySHACL, {self.args.ref_size})"
                row.ratio = f"{base['seconds'] / seconds:,.1f}x"
                row.met = base["seconds"] / seconds >= 10
                row.note += f"; baseline {base['triples']:,} triples, {base['violations']} violation(s)"
            else:
                state = f"> {self.args.timeout:.0f} s (timeout)" if base.get("timed_out") else "failed"
                row.baseline = f"{state} (pySHACL, {self.args.ref_size})"
                if base.get("timed_out"):
                    row.ratio = f">= {self.args.timeout / seconds:,.1f}x"
                    row.met = True if self.args.timeout / seconds >= 10 else None
            row.target = ">= 10x faster"
        rows.append(row)
        if size > self.args.ref_size and "validate" in self.ref:
            scale = seconds / self.ref["validate"]
            allowed = 1.2 * size / self.args.ref_size
            rows.append(
                Row(
                    f"kg validate time({size})/time({self.args.ref_size})",
                    f"{scale:.1f}",
                    f"{secs(self.ref['validate'])} at {self.args.ref_size}",
                    target=f"<= {allowed:g}",
                    met=scale <= allowed,
                )
            )
        return rows

    def profile(self, size: int) -> None:
        """cProfile of one ``kg ingest`` and one ``kg validate``; saves .prof and top functions as text."""
        import pstats

        self.args.profile.mkdir(parents=True, exist_ok=True)
        corpus, store = self.generate(size), self.work / f"profile-store-{size}"
        for step, cmd in (("ingest", ["ingest", str(corpus)]), ("validate", ["validate", "--format", "json"])):
            out = self.args.profile / f"{step}-{size}.prof"
            self.log(f"profiling kg {step} on {size} articles")
            result = run(
                [PYTHON, "-m", "cProfile", "-o", str(out), "-m", "kg.cli", *cmd, "--store", str(store)],
                timeout=self.args.timeout,
            )
            if not out.exists():
                self.log(f"profiling kg {step} failed: {result.stderr[-300:]}")
                return
            with open(self.args.profile / f"{step}-{size}.txt", "w") as text:
                text.write(f"kg {step}, {size} articles: {result.seconds:.1f} s wall under cProfile\n\n")
                stats = pstats.Stats(str(out), stream=text)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(25)
        shutil.rmtree(store, ignore_errors=True)

    def close(self) -> None:
        if self.args.keep:
            self.log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Machine description
# --------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    info = {"nproc": str(os.cpu_count()), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for package in ("rdflib", "pyshacl", "pyoxigraph", "oxigraph", "PyYAML"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = "not installed"
    sys.path.insert(0, str(REPO))
    from kg import __version__

    info["kg"] = __version__
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "kg", "shapes", "queries", "ontology", "bench"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        changed = len(dirty.stdout.splitlines())
        if head.returncode == 0:
            info["git"] = head.stdout.strip() + (
                f" + {changed} uncommitted file(s) in kg/ shapes/ queries/ ontology/ bench/" if changed else ""
            )
        else:
            info["git"] = "not a git checkout"
    except OSError:
        pass
    return info


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (articles)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument(
        "--repeat-budget",
        type=float,
        default=1200.0,
        help="stop repeating a measurement once its runs took this many seconds together",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--ref-size",
        type=int,
        default=1000,
        help="size of the validation baseline and of the memory/scaling references (default 1000)",
    )
    parser.add_argument(
        "--load-repeat",
        type=int,
        default=0,
        help="runs of kg load and of its oxigraph load baseline (default: --repeat)",
    )
    parser.add_argument(
        "--baseline-repeat", type=int, default=0, help="runs of the pySHACL validation baseline (default: --repeat)"
    )
    parser.add_argument("--query-runs", type=int, default=20, help="timed runs per query on the embedded store")
    parser.add_argument("--baseline-query-runs", type=int, default=5, help="timed runs per query on rdflib")
    parser.add_argument("--query-budget", type=float, default=60.0, help="seconds per query before fewer runs are made")
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=300.0,
        help="seconds per query process on the embedded store (warm-up and timed runs)",
    )
    parser.add_argument(
        "--baseline-query-timeout", type=float, default=120.0, help="seconds per query on rdflib (one run)"
    )
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds per measured subprocess")
    parser.add_argument(
        "--queries", default="", help="comma-separated query names or numbers to measure (default: all)"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: validate, validate-baseline, queries, queries-memory, queries-baseline, load",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="after measuring the --ref-size corpus, profile one kg ingest and one kg validate of it "
        "with cProfile (DIR/{ingest,validate}-N.prof and a text summary of each)",
    )
    parser.add_argument("--tmp", default="/tmp", help="where the temporary folders go")
    parser.add_argument("--label", default="", help="describe the code under test (default: its git state)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        answer = WORKERS[argv[1]](**json.loads(argv[2]))
        print(json.dumps(answer))
        return 0
    args = parse_args(argv)

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)  # so that a killed run still stops its children and cleans up
    info = machine()
    command = "python bench/run.py " + shlex.join(argv)
    print(
        f"machine: {info.get('cpu', '?')}, {info['nproc']} cores, {info.get('memory', '?')} RAM; Python "
        f"{info['python']}; rdflib {info['rdflib']}, pySHACL {info['pyshacl']}, pyoxigraph {info['pyoxigraph']}, "
        f"oxigraph {info['oxigraph']}; kg {info['kg']}"
    )
    if args.label:
        info["label"] = args.label
    print(f"code: {args.label or 'git ' + info.get('git', '?')}; load average at start: {load_average()}")
    print(f"command: {command}\n", flush=True)
    bench = Bench(args)
    results: dict[str, Any] = {
        "machine": info,
        "command": command,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": {},
    }
    try:
        sizes = list(args.sizes)
        if args.ref_size not in sizes and ("validate-baseline" not in args.skip):
            bench.log(f"note: the reference size {args.ref_size} is not among --sizes; ratios against it are omitted")
        for size in sizes:
            started = time.perf_counter()
            load_before = load_average()
            rows = bench.size(size)
            elapsed = time.perf_counter() - started
            print(
                render(size, rows) + f"({size} articles: {elapsed / 60:.1f} min wall; load average before "
                f"{load_before}, after {load_average()})\n",
                flush=True,
            )
            if args.profile and size == args.ref_size:
                bench.profile(size)
            results["sizes"][str(size)] = {
                "rows": [asdict(r) for r in rows],
                "elapsed_s": elapsed,
                "load_average": [load_before, load_average()],
            }
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    finally:
        bench.close()
    missed = [
        (size, r["measure"]) for size, part in results["sizes"].items() for r in part["rows"] if r["met"] is False
    ]
    print(f"targets missed: {len(missed)}" + "".join(f"\n  {size}: {measure}" for size, measure in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
