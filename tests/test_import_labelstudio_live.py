"""A real Label Studio on 127.0.0.1: a project made with the shipped labeling configuration, the
seed's draft and annotation imported as predictions, a reviewer's submission, the JSON export read
back by `kg import` and ingested.

Label Studio is not a dependency of the project (it pins its own Django stack): install it in a
venv of its own and point KG_LABEL_STUDIO at its `label-studio` command, or have it on PATH (or
give KG_LABEL_STUDIO_URL and KG_LABEL_STUDIO_TOKEN of one running on 127.0.0.1). The test is
skipped, with the reason, where it is missing or does not start in time (the first start migrates a
database: minutes).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import CORPUS
from rdflib.compare import isomorphic

from kg.author.regions import TOOLS_DIR
from kg.cli import main
from kg.ingest.annotations import load_article, load_registry
from kg.ingest.build import article_graph

pytestmark = pytest.mark.slow

TOKEN = os.environ.get("KG_LABEL_STUDIO_TOKEN", "0123456789abcdef0123456789abcdef01234567")
START_TIMEOUT = float(os.environ.get("KG_LABEL_STUDIO_START_TIMEOUT", "600"))  # first start migrates a database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    running = os.environ.get("KG_LABEL_STUDIO_URL")  # one already started on 127.0.0.1 (with KG_LABEL_STUDIO_TOKEN)
    if running:
        assert running.startswith("http://127.0.0.1:"), "tests talk to 127.0.0.1 only"
        yield running
        return
    command = os.environ.get("KG_LABEL_STUDIO") or shutil.which("label-studio")
    if not command:
        pytest.skip("label-studio is not installed: pip install label-studio in a venv of its own, set KG_LABEL_STUDIO")
    # Asked for by name (as .ci/run does): a Label Studio that does not start is a failure, not a skip.
    give_up = pytest.fail if os.environ.get("KG_LABEL_STUDIO") else pytest.skip
    data = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LATEST_VERSION_CHECK": "false",  # no call to pypi.org: traffic stays on 127.0.0.1
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    }
    log = (data / "server.log").open("wb")
    args = [command, "start", "--no-browser", "--internal-host", "127.0.0.1", "-p", str(port), "--data-dir", str(data)]
    args += ["--username", "reviewer@example.org", "--password", "review-pass-123", "--user-token", TOKEN]
    args += ["--enable-legacy-api-token"]
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                give_up(f"label-studio exited with {process.returncode} while starting (log: {data / 'server.log'})")
            try:
                if requests.get(f"{base}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(2)
        else:
            give_up(f"label-studio did not start within {START_TIMEOUT:.0f} s (KG_LABEL_STUDIO_START_TIMEOUT)")
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own process group, started above
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _api(base: str, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, base + path, headers={"Authorization": f"Token {TOKEN}"}, timeout=60, **kwargs)
    assert response.ok, f"{method} {path}: {response.status_code} {response.text[:300]}"
    return response.json() if response.content else None


def _review_in_label_studio(base: str, tasks_file: Path, title: str) -> list[dict[str, Any]]:
    """Project with the shipped configuration, tasks with predictions, a submission that accepts them, the export."""
    config = (TOOLS_DIR / "labelstudio.xml").read_text(encoding="utf-8")
    project = _api(base, "POST", "/api/projects", json={"title": title, "label_config": config})
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    _api(base, "POST", f"/api/projects/{project['id']}/import", json=tasks)
    listed = _api(base, "GET", f"/api/tasks?project={project['id']}")
    task = (listed["tasks"] if isinstance(listed, dict) else listed)[0]
    predictions = _api(base, "GET", f"/api/predictions?task={task['id']}")
    result = predictions[0]["result"]
    _api(base, "POST", f"/api/tasks/{task['id']}/annotations", json={"result": result, "was_cancelled": False})
    return _api(base, "GET", f"/api/projects/{project['id']}/export?exportType=JSON")


def _workspace(tmp_path: Path) -> Path:
    # corpus.yaml defines the corpus-level communication and actions the seed's statements refer to.
    for name in ("000_4b2d17f57ebafa46.yaml", "000_4b2d17f57ebafa46.txt", "registry.yaml", "corpus.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    back = tmp_path / "back"
    back.mkdir()
    for name in ("000_4b2d17f57ebafa46.txt", "registry.yaml", "corpus.yaml"):
        shutil.copy(CORPUS / name, back / name)
    return back


def test_annotation_reviewed_in_label_studio_ingests_isomorphic(
    label_studio: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    back = _workspace(tmp_path)
    tasks = tmp_path / "tasks.json"
    assert (
        main(
            ["export-review", str(tmp_path / "000_4b2d17f57ebafa46.yaml"), "--format", "labelstudio", "-o", str(tasks)]
        )
        == 0
    )
    exported = _review_in_label_studio(label_studio, tasks, "seed annotation")
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported), encoding="utf-8")
    imported = back / "000_4b2d17f57ebafa46.yaml"
    txt = back / "000_4b2d17f57ebafa46.txt"
    assert main(["import", "labelstudio", str(export), "--article", str(txt), "-o", str(imported)]) == 0
    registry = load_registry(CORPUS / "registry.yaml")
    gold = article_graph(load_article(CORPUS / "000_4b2d17f57ebafa46.yaml", registry), registry)
    assert isomorphic(gold, article_graph(load_article(imported, registry), registry))
    capsys.readouterr()
    assert main(["ingest", str(imported), "--store", str(tmp_path / "store")]) == 0
    assert "1 stored" in capsys.readouterr().err


def test_draft_reviewed_in_label_studio_keeps_its_marks_until_reviewed(
    label_studio: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    back = _workspace(tmp_path)
    draft = tmp_path / "draft.yaml"
    assert main(["draft", str(tmp_path / "000_4b2d17f57ebafa46.txt"), "-o", str(draft)]) == 0
    draft.rename(tmp_path / "000_4b2d17f57ebafa46.yaml")
    tasks = tmp_path / "tasks.json"
    assert (
        main(
            [
                "export-review",
                str(tmp_path / "000_4b2d17f57ebafa46.yaml"),
                "--format",
                "labelstudio",
                "-o",
                str(tasks),
                "--force",
            ]
        )
        == 0
    )
    assert json.loads(tasks.read_text(encoding="utf-8"))[0]["predictions"][0]["model_version"] == "kg draft rules en v1"
    exported = _review_in_label_studio(label_studio, tasks, "seed draft")
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported), encoding="utf-8")
    imported = back / "000_4b2d17f57ebafa46.yaml"
    txt = back / "000_4b2d17f57ebafa46.txt"
    assert main(["import", "labelstudio", str(export), "--article", str(txt), "-o", str(imported)]) == 0
    text = imported.read_text(encoding="utf-8")
    assert "absolutely no plans whatever" in text and "draft: {rule: quote-marks" in text
    capsys.readouterr()
    assert main(["ingest", str(imported), "--store", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err
    assert "unreviewed draft statement" in err and "0 stored" in err
