"""The package's layout rules, read from its import lines (module level and inside functions).

Two wings meet at the store: the write wing (``kg.ingest``, ``kg.shacl``) and the read wing
(``kg.read``, ``kg.remote``) stand on ``kg.store`` and the ground floor, and never on each other;
only ``kg.cli`` stands on everything, and nothing stands on it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from servers import kg_env

from kg.store import EmbeddedStore

PACKAGE = Path(__file__).resolve().parent.parent / "kg"

GROUND = {"kg", "kg.errors", "kg.prefixes", "kg.terms", "kg.iris", "kg.vocabulary", "kg.resources", "kg.parallel"}
STORE = {"kg.store", "kg.textindex"}  # the full-text index stands beside the store
WRITE_WING = ("kg.ingest", "kg.shacl", "kg.author")
READ_WING = ("kg.read", "kg.remote")
SHACL_ENGINES = ("pyshacl", "pyshacl_turbo")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, as dotted names (``from kg.x import y`` counts ``kg.x.y`` when
    that is a module, else ``kg.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def project_imports(name: str) -> set[str]:
    return {m for m in GRAPH[name] if m == "kg" or m.startswith("kg.")}


def in_part(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_graph_was_read() -> None:
    # Guards the guards: the rules below must see the real package, not an empty one.
    assert {"kg.store", "kg.cli", "kg.ingest.pipeline", "kg.shacl.engine", "kg.read.queries"} <= set(MODULES)
    assert "kg.shacl.engine" in project_imports("kg.ingest.pipeline")
    assert "pyshacl" in GRAPH["kg.shacl.engine"]


def test_no_import_circle() -> None:
    # Packages import their own submodules' parents implicitly; only module-to-module arrows count.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(project_imports(name)):
            if other not in MODULES or other == name:
                continue
            if state.get(other) == 1:
                circle = path[path.index(other) :] + [other]
                pytest.fail("import circle: " + " -> ".join(circle))
            if other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(MODULES):
        if name not in state:
            visit(name)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n in GROUND | STORE))
def test_ground_floor_and_store_import_nothing_above(name: str) -> None:
    allowed = GROUND | (STORE if name in STORE else set()) | ({"kg.iris"} if name in STORE else set())
    above = sorted(project_imports(name) - allowed)
    assert above == [], f"{name} is on the ground floor but imports {above}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if in_part(n, READ_WING)))
def test_read_wing_never_imports_write_wing_or_shacl_engines(name: str) -> None:
    wrong = sorted(m for m in GRAPH[name] if in_part(m, WRITE_WING) or in_part(m, SHACL_ENGINES))
    assert wrong == [], f"{name} (read wing) imports {wrong}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not in_part(n, ("kg.shacl",))))
def test_only_kg_shacl_imports_the_shacl_engines(name: str) -> None:
    wrong = sorted(m for m in GRAPH[name] if in_part(m, SHACL_ENGINES))
    assert wrong == [], f"{name} imports {wrong}; only kg.shacl may"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if in_part(n, ("kg.shacl",))))
def test_shacl_does_not_import_ingest(name: str) -> None:
    wrong = sorted(m for m in project_imports(name) if in_part(m, ("kg.ingest",)))
    assert wrong == [], f"{name} imports the ingest pipeline {wrong}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not in_part(n, ("kg.cli",))))
def test_nothing_but_the_cli_imports_the_cli(name: str) -> None:
    wrong = sorted(m for m in project_imports(name) if in_part(m, ("kg.cli",)))
    assert wrong == [], f"{name} imports {wrong}: the library never calls the command line"


def test_parallel_names_no_caller() -> None:
    text = (PACKAGE / "parallel.py").read_text(encoding="utf-8")
    strings = [n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    named = [s for s in strings if s.startswith("kg.")]
    assert named == [], f"kg.parallel names modules above it: {named}"


def test_query_path_loads_no_shacl_machinery() -> None:
    """What ``kg query`` imports, checked in a fresh interpreter (the static rules could miss a
    dynamic import)."""
    code = (
        "import sys, kg.cli, kg.cli.query, kg.read.queries, kg.read.serve, kg.read.export, kg.store;"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pyshacl', 'pyshacl_turbo', 'owlrl') or m.startswith(('kg.shacl', 'kg.ingest')))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=kg_env(), check=True)
    assert done.stdout.strip() == ""


#: ``kg`` commands that answer from the store without rdflib (``kg ls --format csv|json`` still uses
#: rdflib's results writers, whose bytes its users have) (about 0.1 s of CPU to import): with
#: pyoxigraph's terms and results writers, so a narrowed ``kg query`` starts in well under 0.3 s.
RDFLIB_FREE_COMMANDS = [
    ["--version"],
    ["query", "who-said-what", "--param", "speaker=johann-wadephul", "--format", "table"],
    ["query", "who-said-what", "--param", "speaker=Johann Wadephul", "--format", "grouped"],
    ["query", "positions-of-actor", "--param", "holder=germany", "--format", "json"],
    ["query", "positions-on-action-type", "--param", "actionType=strike", "--format", "csv"],
    ["query", "positions-as-of", "--as-of", "2025-06-01", "--format", "table"],
    ["ls", "actors"],
    ["stats"],
    ["search", "nato"],
]


@pytest.mark.parametrize("args", RDFLIB_FREE_COMMANDS, ids=lambda a: " ".join(a[:2]) + " " + a[-1])
def test_query_path_loads_no_rdflib(args: list[str], seed_store: EmbeddedStore) -> None:
    """The command run in a fresh interpreter, then its ``sys.modules`` looked at."""
    location = str(seed_store.location)
    code = (
        "import sys\n"
        "from kg.cli import main\n"
        "try:\n"
        f"    main({args!r} + ([] if {args!r}[0] == '--version' else ['--store', {location!r}]))\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write('MODULES ' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'rdflib')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=kg_env(), check=True)
    assert done.stdout, done.stderr
    loaded = done.stderr.rpartition("MODULES ")[2].split()
    assert loaded == [], f"kg {' '.join(args)} imported {loaded[:5]} ..."
