"""`pip install .` ships the ontology, shapes, queries and schemas inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow
def test_wheel_contains_the_data_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("positions_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"kg/_data/{p.relative_to(REPO)}"
        for folder in ("ontology", "shapes", "queries", "schemas")
        for p in (REPO / folder).rglob("*")
        if p.is_file()
    }
    assert any(n.startswith("kg/_data/queries/") for n in expected)
    assert expected <= names, sorted(expected - names)
    # Every module and every asset of the package (static pages, rule files, tool configurations).
    package = {
        f"{p.relative_to(REPO)}" for p in (REPO / "kg").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert {"kg/cli/__init__.py", "kg/read/queries.py", "kg/shacl/engine.py"} <= package
    assert package <= names, sorted(package - names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kg = kg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
