"""Review in the tools teams use: `kg export-review` writes a draft or an annotation for Label
Studio or brat; `kg import` reads what the tool gives back (Label Studio JSON, brat standoff,
INCEpTION/WebAnno UIMA CAS XMI) into the project's YAML. Nothing is written unless every region,
label and relation checks out (kg/author/regions.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.author import brat, labelstudio
from kg.author.compose import render_yaml
from kg.author.files import write_text_atomically
from kg.author.regions import Exchange, Mapping, from_annotation, to_annotation, utf16_to_characters
from kg.errors import InputError, Problem
from kg.ingest.anchoring import normalise
from kg.ingest.annotations import Registry
from kg.ingest.yamlfile import load_yaml, read_text

SKELETON_SUFFIX = ".kg.yaml"
IMPORTED_HEADER = (
    "# yaml-language-server: $schema=../schemas/article.schema.json\n# Imported by `kg import` from {source}.\n\n"
)


def _annotation_and_text(path: Path) -> tuple[dict[str, Any], Path, str]:
    doc = load_yaml(path, "annotation")
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("article"), dict) or "statements" not in data:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    "not an article annotation (no article: and statements:)",
                    "give a file written by kg draft or by an annotator",
                )
            ]
        )
    data.setdefault("positions", [])
    data.setdefault("actions", [])
    text_path = path.with_name(data["article"].get("text") or path.with_suffix(".txt").name)
    return data, text_path, normalise(read_text(text_path, "article text"))


def export_review(path: Path, fmt: str, out: Path, mapping: Mapping, *, overwrite: bool) -> list[Path]:
    """Write ``path`` (a draft or an annotation) for review in ``fmt``; return the files written."""
    data, text_path, text = _annotation_and_text(path)
    exchange = from_annotation(data, text, mapping)
    drafted = data["article"].get("drafted")
    version = f"kg draft rules {drafted['rules']} v{drafted['version']}" if isinstance(drafted, dict) else "annotation"
    if fmt == "labelstudio":
        tasks = labelstudio.to_tasks(exchange, model_version=version)
        write_text_atomically(out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", overwrite=overwrite)
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    stem = text_path.stem
    files = {
        out / f"{stem}.txt": text,
        out / f"{stem}.ann": brat.write_ann(exchange),
        out / f"{stem}{SKELETON_SUFFIX}": render_yaml(exchange.skeleton or {}),
        out / "annotation.conf": brat.annotation_conf(mapping),
    }
    for target, content in files.items():
        write_text_atomically(target, content, overwrite=overwrite)
    return list(files)


def import_review(
    fmt: str,
    source: Path,
    article: Path,
    mapping: Mapping,
    registry: Registry,
    *,
    skeleton: Path | None = None,
    utf16: bool = False,
) -> dict[str, Any]:
    """The annotation a tool's export describes, checked against ``article``."""
    text = normalise(read_text(article, "article text"))
    exchange: Exchange
    if fmt == "labelstudio":
        exchange = labelstudio.read_export(source, text)
    elif fmt == "brat":
        exchange = brat.read_ann(source, text, mapping)
    else:
        from kg.author import inception

        exchange = inception.read_xmi(source, text, mapping)
    if skeleton is None and fmt != "labelstudio":
        skeleton = source.with_name(source.name.split(".")[0] + SKELETON_SUFFIX)
    if skeleton is not None and (skeleton.exists() or fmt == "labelstudio"):
        exchange.skeleton = load_yaml(skeleton, "skeleton").data  # dates stay strings, as in annotations
    if utf16:
        utf16_to_characters(exchange)
    data = to_annotation(exchange, mapping, registry, source)
    data["article"]["text"] = article.name
    return data


def write_imported(data: dict[str, Any], source: Path, out: Path, *, overwrite: bool) -> None:
    write_text_atomically(out, IMPORTED_HEADER.format(source=source.name) + render_yaml(data), overwrite=overwrite)
