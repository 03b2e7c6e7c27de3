"""Load test: ``kg serve`` against ``oxigraph serve-read-only`` on the same store, many clients at once.

    python bench/load_serve.py --articles 1000 --clients 50,200 --rounds 3 --json load.json

Builds a synthetic corpus (``bench/generate.py``) and ingests it, or takes ``--store``; starts both
servers on 127.0.0.1 (free ports, stopped by their PIDs) over that one store, read-only, each
answering over the union of the graphs (``--union-default-graph`` for Oxigraph); then, for each
number of clients, runs the same workload against each server in turn, alternating which goes first
from round to round. Every client is a thread with its own keep-alive connection that sends its
share of the requests one after the other:

* ``narrowed``: each named query that declares an analyst's parameter (``bench/run.py``'s
  ``ANALYST_PARAMETERS``: holder Germany, action type strike, ...) with it bound, as ``kg query
  --endpoint`` sends it (a VALUES block);
* ``report``: the named queries with their default parameters (whole-corpus reports);
* ``ask``: ``ASK {}``, the request that found the resets.

Reported per server and number of clients: requests, errors (a status other than 200, or a
connection error: reset, refused, timeout), p50/p95 of the latency of each kind; the ratio of kg
serve's p95 to Oxigraph's, median over rounds. Target: no errors, p95 at most 1.5x Oxigraph's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=60).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


class Server:
    def __init__(self, name: str, command: list[str], port: int, log: Path) -> None:
        self.name, self.port = name, port
        self.log = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(f"http://{HOST}:{port}/query?query=ASK%7B%7D", self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


def workload() -> list[tuple[str, str]]:
    """(kind, query text) for each request of one pass, parameters bound as kg query --endpoint binds them."""
    from run import ANALYST_PARAMETERS, query_cases  # bench/run.py: the analyst's question, one place

    from kg.read.queries import named_queries
    from kg.remote.sparql import bind_parameters

    requests_: list[tuple[str, str]] = []
    for query in named_queries().values():
        for given in query_cases(query):
            kind = "narrowed" if given and set(given) & set(ANALYST_PARAMETERS) else "report"
            requests_.append((kind, bind_parameters(query.text, query.bindings(given))))
    requests_.append(("ask", "ASK {}"))
    return requests_


def run_clients(port: int, clients: int, requests_: list[tuple[str, str]], per_client: int) -> dict[str, Any]:
    """``clients`` threads at once, each sending ``per_client`` requests from the list (rotating)."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=300)
        start.wait()
        for step in range(per_client):
            kind, text = requests_[(index * per_client + step) % len(requests_)]
            body = urlencode({"query": text})
            began = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    "/query",
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/sparql-results+json",
                    },
                )
                answer = connection.getresponse()
                answer.read()
                status = answer.status
                error = None if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as err:
                error = f"{type(err).__name__}: {err}"
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=300)
            elapsed = time.perf_counter() - began
            with lock:
                if error:
                    errors.append(f"{kind}: {error}")
                else:
                    latencies.setdefault(kind, []).append(elapsed)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "wall": time.perf_counter() - began}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="synthetic corpus size (default 1000)")
    parser.add_argument("--store", type=Path, help="an existing store instead of a generated corpus")
    parser.add_argument("--clients", default="50,200", help="numbers of concurrent clients (default 50,200)")
    parser.add_argument("--per-client", type=int, default=4, help="requests each client sends (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per setting (default 3)")
    parser.add_argument(
        "--workers", type=int, default=min(8, 4 * (os.cpu_count() or 2)), help="kg serve --workers (default: its own)"
    )
    parser.add_argument("--in-memory", action="store_true", help="kg serve --in-memory")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=600,
        help="kg serve --time-limit (default 600: Oxigraph has none here, so both answer everything)",
    )
    parser.add_argument("--warm-up", action="store_true", help="send every request once to each server first")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kg-load-serve-"))
    servers: list[Server] = []
    try:
        store = args.store
        if store is None:
            corpus, store = work / "corpus", work / "store"
            subprocess.run(
                [sys.executable, str(REPO / "bench/generate.py"), "--articles", str(args.articles), "--seed", "1"]
                + ["--out", str(corpus)],
                check=True,
            )
            subprocess.run(kg_command("ingest", str(corpus), "--store", str(store)), check=True)
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        ox_port, kg_port = free_port(), free_port()
        servers.append(
            Server(
                "oxigraph",
                [oxigraph, "serve-read-only", "--location", str(store), "--bind", f"{HOST}:{ox_port}"]
                + ["--union-default-graph"],
                ox_port,
                work / "oxigraph.log",
            )
        )
        kg_flags = ["--port", str(kg_port), "--store", str(store), "--quiet", "--workers", str(args.workers)]
        kg_flags += ["--time-limit", str(args.time_limit)]
        servers.append(
            Server(
                "kg serve",
                kg_command("serve", *kg_flags, *(["--in-memory"] if args.in_memory else [])),
                kg_port,
                work / "kg-serve.log",
            )
        )
        requests_ = workload()
        for server in servers:  # warm-up: every request once (--warm-up), else one ASK
            run_clients(
                server.port, 1, requests_ if args.warm_up else requests_[-1:], len(requests_) if args.warm_up else 1
            )
        results: dict[str, Any] = {}
        for clients in [int(c) for c in args.clients.split(",")]:
            for round_ in range(args.rounds):
                order = servers if round_ % 2 == 0 else list(reversed(servers))
                for server in order:
                    got = run_clients(server.port, clients, requests_, args.per_client)
                    results.setdefault(f"{clients}", {}).setdefault(server.name, []).append(got)
                    print(
                        f"{clients} clients, round {round_ + 1}, {server.name}: {len(got['errors'])} error(s), "
                        f"{got['wall']:.1f} s",
                        file=sys.stderr,
                    )
        report(results, args, requests_)
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, Any], args: argparse.Namespace, requests_: list[tuple[str, str]]) -> None:
    kinds = sorted({kind for kind, _ in requests_})
    lines = [
        f"load test: {args.articles} articles, {args.rounds} rounds, {args.per_client} requests per client, "
        f"kg serve --workers {args.workers} --time-limit {args.time_limit:g}{' --in-memory' if args.in_memory else ''}; "
        f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "",
        "| clients | kind | requests (each server, per round) | errors kg serve / Oxigraph | p50 kg serve | p50 Oxigraph"
        " | p95 kg serve | p95 Oxigraph | p95 ratio (median of rounds) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    summary: dict[str, Any] = {}
    for clients, by_server in results.items():
        for kind in [*kinds, "all"]:
            figures: dict[str, dict[str, Any]] = {}
            for name, rounds in by_server.items():
                p50s, p95s, errors, count = [], [], 0, 0
                for got in rounds:
                    values = (
                        [v for vs in got["latencies"].values() for v in vs]
                        if kind == "all"
                        else got["latencies"].get(kind, [])
                    )
                    count = len(values)
                    errors += sum(1 for e in got["errors"] if kind == "all" or e.startswith(kind + ":"))
                    p50s.append(percentile(values, 0.5))
                    p95s.append(percentile(values, 0.95))
                figures[name] = {"p50": p50s, "p95": p95s, "errors": errors, "count": count}
            kg, ox = figures["kg serve"], figures["oxigraph"]
            ratios = [a / b for a, b in zip(kg["p95"], ox["p95"], strict=True) if b > 0]
            ratio = statistics.median(ratios) if ratios else float("nan")
            summary[f"{clients}/{kind}"] = {"kg serve": kg, "oxigraph": ox, "p95_ratio": ratio}
            lines.append(
                f"| {clients} | {kind} | {kg['count']} | {kg['errors']} / {ox['errors']} "
                f"| {statistics.median(kg['p50']) * 1000:.0f} ms | {statistics.median(ox['p50']) * 1000:.0f} ms "
                f"| {statistics.median(kg['p95']) * 1000:.0f} ms | {statistics.median(ox['p95']) * 1000:.0f} ms "
                f"| {ratio:.2f} |"
            )
    errors = {c: [e for got in s["kg serve"] for e in got["errors"]][:5] for c, s in results.items()}
    lines.append("")
    lines.append(f"first errors of kg serve per setting: {errors}")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "argv": sys.argv}, indent=1, default=str))


if __name__ == "__main__":
    main()
