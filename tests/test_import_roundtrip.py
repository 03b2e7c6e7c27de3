"""YAML -> Label Studio -> YAML and YAML -> brat -> YAML give isomorphic graphs; the shipped tool
configurations match the mapping; bad exports are refused with the file, the region and what to do,
and nothing is written."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from rdflib.compare import isomorphic

from kg.author.brat import annotation_conf
from kg.author.labelstudio import labeling_config
from kg.author.regions import TOOLS_DIR, load_mapping
from kg.cli import main
from kg.ingest.annotations import load_article, load_registry
from kg.ingest.build import article_graph
from kg.vocabulary import concepts

ANNOTATED = sorted(p for p in CORPUS.glob("*.yaml") if p.name != "registry.yaml" and p.with_suffix(".txt").is_file())
REGISTRY = CORPUS / "registry.yaml"


def _graph(path: Path) -> Any:
    registry = load_registry(REGISTRY)
    return article_graph(load_article(path, registry), registry)


def _workspace(tmp_path: Path, gold: Path) -> Path:
    for source in (gold, gold.with_suffix(".txt"), REGISTRY):
        shutil.copy(source, tmp_path / source.name)
    back = tmp_path / "back"
    back.mkdir()
    shutil.copy(gold.with_suffix(".txt"), back / gold.with_suffix(".txt").name)
    shutil.copy(REGISTRY, back / "registry.yaml")
    return back


def _submitted(export: Path) -> Path:
    """What Label Studio exports after a reviewer accepted every prediction and pressed Submit."""
    tasks = json.loads(export.read_text(encoding="utf-8"))
    for task in tasks:
        task["id"] = 1
        task["annotations"] = [{"id": 1, "was_cancelled": False, "result": task["predictions"][0]["result"]}]
    done = export.with_name("export.json")
    done.write_text(json.dumps(tasks), encoding="utf-8")
    return done


@pytest.mark.parametrize("gold", ANNOTATED, ids=lambda p: p.stem)
def test_yaml_to_label_studio_to_yaml_is_isomorphic(gold: Path, tmp_path: Path) -> None:
    back = _workspace(tmp_path, gold)
    tasks = tmp_path / "tasks.json"
    assert main(["export-review", str(tmp_path / gold.name), "--format", "labelstudio", "-o", str(tasks)]) == 0
    exported = json.loads(tasks.read_text(encoding="utf-8"))
    spans = [r for r in exported[0]["predictions"][0]["result"] if r["type"] == "labels"]
    assert {"start": 563, "end": 591, "text": "absolutely no plans whatever", "labels": ["Quote"]} in [
        r["value"] for r in spans
    ] or gold.stem != "000_4b2d17f57ebafa46"
    imported = back / gold.name
    txt = back / gold.with_suffix(".txt").name
    assert main(["import", "labelstudio", str(_submitted(tasks)), "--article", str(txt), "-o", str(imported)]) == 0
    assert isomorphic(_graph(gold), _graph(imported))


@pytest.mark.parametrize("gold", ANNOTATED, ids=lambda p: p.stem)
def test_yaml_to_brat_to_yaml_is_isomorphic(gold: Path, tmp_path: Path) -> None:
    back = _workspace(tmp_path, gold)
    folder = tmp_path / "brat"
    assert main(["export-review", str(tmp_path / gold.name), "--format", "brat", "-o", str(folder)]) == 0
    ann = folder / f"{gold.stem}.ann"
    assert "T3\tQuote 563 591\tabsolutely no plans whatever" in ann.read_text(encoding="utf-8").splitlines() or (
        gold.stem != "000_4b2d17f57ebafa46"
    )
    imported = back / gold.name
    txt = back / gold.with_suffix(".txt").name
    assert main(["import", "brat", str(ann), "--article", str(txt), "-o", str(imported)]) == 0
    assert isomorphic(_graph(gold), _graph(imported))


def test_shipped_configurations_are_generated_from_the_mapping() -> None:
    mapping = load_mapping()
    assert (TOOLS_DIR / "labelstudio.xml").read_text(encoding="utf-8") == labeling_config(mapping)
    assert (TOOLS_DIR / "annotation.conf").read_text(encoding="utf-8") == annotation_conf(mapping)
    view = ET.fromstring(labeling_config(mapping))
    labels = [e.get("value") for e in view.iter("Label")]
    assert labels == list(mapping.spans)
    assert [e.get("value") for e in view.iter("Relation")] == ["said-by", "condition-of"]
    area = next(view.iter("TextArea"))
    assert (area.get("name"), area.get("perRegion"), area.get("toName")) == ("ref", "true", "text")
    # Every evidence kind and condition type of the vocabulary has a label, and nothing else does.
    kinds = {m["evidence"] for m in mapping.spans.values() if "evidence" in m}
    types = {m["condition"] for m in mapping.spans.values() if "condition" in m}
    assert kinds == set(concepts("evidence-kind")) and types == set(concepts("condition-type"))


@pytest.fixture()
def seed_export(tmp_path: Path) -> tuple[Path, Path, list[dict[str, Any]]]:
    gold = CORPUS / "000_4b2d17f57ebafa46.yaml"
    back = _workspace(tmp_path, gold)
    tasks = tmp_path / "tasks.json"
    assert main(["export-review", str(tmp_path / gold.name), "--format", "labelstudio", "-o", str(tasks)]) == 0
    done = _submitted(tasks)
    return done, back / gold.with_suffix(".txt").name, json.loads(done.read_text(encoding="utf-8"))


def _import(export: Path, txt: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    out = txt.with_name("imported.yaml")
    code = main(["import", "labelstudio", str(export), "--article", str(txt), "-o", str(out)])
    return code, capsys.readouterr().err, out


def _rewrite(export: Path, tasks: list[dict[str, Any]]) -> Path:
    export.write_text(json.dumps(tasks), encoding="utf-8")
    return export


def test_unknown_labels_are_listed(seed_export: Any, capsys: pytest.CaptureFixture[str]) -> None:
    export, txt, tasks = seed_export
    result = tasks[0]["annotations"][0]["result"]
    result[0]["value"]["labels"] = ["PERSON"]
    result[2]["value"]["labels"] = ["ORG"]
    code, err, out = _import(_rewrite(export, tasks), txt, capsys)
    assert code == 2 and not out.exists()
    assert f"{export}: labels: labels the mapping does not know: ORG, PERSON" in err
    assert "--mapping FILE" in err


def test_span_not_matching_the_article(seed_export: Any, capsys: pytest.CaptureFixture[str]) -> None:
    export, txt, tasks = seed_export
    quote = next(r for r in tasks[0]["annotations"][0]["result"] if r["value"].get("text") == "really important")
    quote["value"]["start"] += 3
    quote["value"]["end"] += 3
    code, err, out = _import(_rewrite(export, tasks), txt, capsys)
    assert code == 2 and not out.exists()
    assert "span 758-774 'really important' does not match the article text there" in err
    assert "the words occur at offset 755" in err and f"(region '{quote['id']}')" in err


def test_relation_to_a_missing_region(seed_export: Any, capsys: pytest.CaptureFixture[str]) -> None:
    export, txt, tasks = seed_export
    tasks[0]["annotations"][0]["result"].append(
        {"type": "relation", "from_id": "r1", "to_id": "gone", "direction": "right", "labels": ["said-by"]}
    )
    code, err, out = _import(_rewrite(export, tasks), txt, capsys)
    assert code == 2 and not out.exists()
    assert "relation 'said-by' points to region 'gone', which the export lacks" in err


def test_empty_exports(seed_export: Any, capsys: pytest.CaptureFixture[str]) -> None:
    export, txt, tasks = seed_export
    code, err, out = _import(_rewrite(export, []), txt, capsys)
    assert code == 2 and "the export is empty (no task)" in err and not out.exists()
    tasks[0]["annotations"] = []
    code, err, out = _import(_rewrite(export, tasks), txt, capsys)
    assert code == 2 and "the export is empty: the task has no submitted annotation" in err
    assert "press Submit" in err and not out.exists()


def test_utf16_offsets_are_detected_and_converted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = CORPUS / "000_4b2d17f57ebafa46.yaml"
    back = _workspace(tmp_path, gold)
    # The same article with an emoji (two UTF-16 units) in the headline: every later offset shifts.
    for folder in (tmp_path, back):
        txt = folder / gold.with_suffix(".txt").name
        txt.write_text(txt.read_text(encoding="utf-8").replace("Rise\n", "Rise \U0001f4f0\n", 1), encoding="utf-8")
    tasks = tmp_path / "tasks.json"
    assert main(["export-review", str(tmp_path / gold.name), "--format", "labelstudio", "-o", str(tasks)]) == 0
    done = _submitted(tasks)
    exported = json.loads(done.read_text(encoding="utf-8"))
    for item in exported[0]["annotations"][0]["result"]:
        if "start" in item.get("value", {}):
            item["value"]["start"] += 1  # what a tool counting UTF-16 code units writes
            item["value"]["end"] += 1
    _rewrite(done, exported)
    txt = back / gold.with_suffix(".txt").name
    code, err, out = _import(done, txt, capsys)
    assert code == 2 and not out.exists()
    assert "(region 'r1'): offsets 318-409 count UTF-16 code units, not characters" in err
    assert "sit at characters 317-408 (50 span(s) like this" in err and "--offsets utf16" in err
    out = back / gold.name
    assert main(["import", "labelstudio", str(done), "--article", str(txt), "--offsets", "utf16", "-o", str(out)]) == 0
    assert "absolutely no plans whatever" in out.read_text(encoding="utf-8")


def test_brat_bad_lines_and_missing_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = CORPUS / "000_4b2d17f57ebafa46.yaml"
    back = _workspace(tmp_path, gold)
    folder = tmp_path / "brat"
    assert main(["export-review", str(tmp_path / gold.name), "--format", "brat", "-o", str(folder)]) == 0
    ann = folder / f"{gold.stem}.ann"
    ann.write_text(ann.read_text(encoding="utf-8") + "R99\tsaid-by Arg1:T1 Arg2:T999\nnonsense\n", encoding="utf-8")
    out = back / "imported.yaml"
    txt = back / gold.with_suffix(".txt").name
    assert main(["import", "brat", str(ann), "--article", str(txt), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    lines = len(ann.read_text(encoding="utf-8").splitlines())
    assert f"{ann}: line {lines}: not a brat standoff line: 'nonsense'" in err and not out.exists()


def _inception_export(exchange: Any, folder: Path, name: str) -> Path:
    """What INCEpTION exports as 'UIMA CAS XMI': a zip with the document's XMI and its type system."""
    import zipfile

    from cassis import Cas, TypeSystem

    typesystem = TypeSystem()
    span = typesystem.create_type("webanno.custom.PositionsKG", supertypeName="uima.tcas.Annotation")
    typesystem.create_feature(span, "label", "uima.cas.String")
    typesystem.create_feature(span, "ref", "uima.cas.String")
    cas = Cas(typesystem=typesystem)
    cas.sofa_string = exchange.text
    layer = typesystem.get_type("webanno.custom.PositionsKG")
    for region in exchange.regions:
        cas.add(layer(begin=region.start, end=region.end, label=region.label, ref=region.ref))
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr(f"{name}.xmi", cas.to_xmi())
        out.writestr("TypeSystem.xml", typesystem.to_xml())
    return archive


@pytest.mark.parametrize("headline_extra", ["", " \U0001f4f0"], ids=["seed", "with-emoji (UTF-16 offsets in the XMI)"])
def test_inception_xmi_to_yaml_is_isomorphic(headline_extra: str, tmp_path: Path) -> None:
    pytest.importorskip("cassis", reason="dkpro-cassis is not installed (pip install dkpro-cassis)")
    from kg.author.regions import from_annotation
    from kg.author.review import SKELETON_SUFFIX
    from kg.ingest.yamlfile import load_yaml

    gold = CORPUS / "000_4b2d17f57ebafa46.yaml"
    back = _workspace(tmp_path, gold)
    txt = back / gold.with_suffix(".txt").name
    for path in (txt, tmp_path / txt.name):
        path.write_text(
            path.read_text(encoding="utf-8").replace("Rise\n", f"Rise{headline_extra}\n", 1), encoding="utf-8"
        )
    exchange = from_annotation(load_yaml(gold, "annotation").data, txt.read_text(encoding="utf-8"), load_mapping())
    archive = _inception_export(exchange, tmp_path, gold.stem)
    if headline_extra:
        assert 'begin="318"' in zipfile_text(archive)  # cassis wrote UTF-16 offsets, one more than characters
    skeleton = tmp_path / f"{gold.stem}{SKELETON_SUFFIX}"
    from kg.author.compose import render_yaml

    skeleton.write_text(render_yaml(exchange.skeleton or {}), encoding="utf-8")
    out = back / gold.name
    assert main(["import", "inception", str(archive), "--article", str(txt), "-o", str(out)]) == 0
    if not headline_extra:
        assert isomorphic(_graph(gold), _graph(out))
    else:
        assert "absolutely no plans whatever" in out.read_text(encoding="utf-8")


def zipfile_text(archive: Path) -> str:
    import zipfile

    with zipfile.ZipFile(archive) as opened:
        return opened.read(next(n for n in opened.namelist() if n.endswith(".xmi"))).decode("utf-8")
