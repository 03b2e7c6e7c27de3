"""Label Studio: tasks with predictions for review, and its JSON export back to regions.

A task holds the article text (``data.text``) and the annotation's skeleton (``data.kg``); spans
are ``labels`` results (``value.start``, ``value.end``, ``value.text``, ``value.labels``), each with
a per-region ``textarea`` result (``from_name: ref``) holding its ref, and links are ``relation``
results (``from_id``, ``to_id``, ``direction``, ``labels``). The labeling configuration that
matches is generated from the mapping (:func:`labeling_config`) and shipped as
``kg/author/tools/labelstudio.xml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from kg.author.regions import Exchange, Mapping, Region, Relation
from kg.errors import InputError, Problem

LABELS, REF, TEXT = "label", "ref", "text"


def labeling_config(mapping: Mapping) -> str:
    """The Label Studio labeling configuration (XML) for the mapping's labels and relations."""
    labels = "\n".join(f"    <Label value={quoteattr(label)}/>" for label in mapping.spans)
    relations = "\n".join(f"    <Relation value={quoteattr(label)}/>" for label in mapping.relations)
    return f"""<View>
  <!-- Positions KG: generated from kg/author/tools/mapping.yaml (kg/author/labelstudio.py). -->
  <Labels name="{LABELS}" toName="{TEXT}">
{labels}
  </Labels>
  <Relations>
{relations}
  </Relations>
  <Text name="{TEXT}" value="$text"/>
  <Header value="Ref of the selected region (statement:ID or condition:POSITION:N; empty for a new region)"/>
  <TextArea name="{REF}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1" rows="1"/>
</View>
"""


def to_tasks(exchange: Exchange, *, model_version: str, score: float | None = None) -> list[dict[str, Any]]:
    """One Label Studio task with the regions as predictions (pre-annotations)."""
    result: list[dict[str, Any]] = []
    for region in exchange.regions:
        span = {"start": region.start, "end": region.end, "text": region.text}
        result.append(
            {
                "id": region.id,
                "from_name": LABELS,
                "to_name": TEXT,
                "type": "labels",
                "value": {**span, "labels": [region.label]},
            }
        )
        if region.ref:
            result.append(
                {
                    "id": region.id,
                    "from_name": REF,
                    "to_name": TEXT,
                    "type": "textarea",
                    "value": {"start": region.start, "end": region.end, "text": [region.ref]},
                }
            )
    for relation in exchange.relations:
        result.append(
            {
                "from_id": relation.source,
                "to_id": relation.target,
                "type": "relation",
                "direction": "right",
                "labels": [relation.label],
            }
        )
    prediction: dict[str, Any] = {"model_version": model_version, "result": result}
    if score is not None:
        prediction["score"] = score
    return [{"data": {"text": exchange.text, "kg": exchange.skeleton}, "predictions": [prediction]}]


def read_export(path: Path, text: str) -> Exchange:
    """Regions and relations of the article's task in a Label Studio JSON export."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            [Problem(path, "", f"not a Label Studio JSON export: {err}", "export the project as JSON")]
        ) from err
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not tasks:
        raise InputError(
            [
                Problem(
                    path, "", "the export is empty (no task)", "export the project after annotating at least one task"
                )
            ]
        )
    matching = [t for t in tasks if isinstance(t, dict) and (t.get("data") or {}).get("text") == text]
    if not matching and len(tasks) == 1 and isinstance(tasks[0], dict):
        matching = tasks  # one task: its text is checked span by span
    if len(matching) != 1:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    f"{len(matching)} of {len(tasks)} tasks hold this article's text",
                    "export one task per article, or pass the article it was made from",
                )
            ]
        )
    task = matching[0]
    number = task.get("id", 1)
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    chosen = annotations[-1] if annotations else None
    if chosen is None or not chosen.get("result"):
        raise InputError(
            [
                Problem(
                    path,
                    f"task {number}",
                    "the export is empty: the task has no submitted annotation with results",
                    "review the predictions in Label Studio, press Submit, then export again",
                )
            ]
        )
    exchange = Exchange(text, skeleton=(task.get("data") or {}).get("kg"))
    refs: dict[str, str] = {}
    for index, item in enumerate(chosen["result"]):
        where = f"task {number}, result {index + 1}"
        value = item.get("value") or {}
        kind = item.get("type")
        if kind == "relation":
            source, target = str(item.get("from_id")), str(item.get("to_id"))
            if item.get("direction") == "left":
                source, target = target, source
            labels = item.get("labels") or ["said-by"]
            exchange.relations.append(Relation(source, target, labels[0], f"{where} (relation {source} -> {target})"))
        elif kind == "labels":
            labels = value.get("labels") or []
            try:
                start, end, words = int(value["start"]), int(value["end"]), str(value["text"])
            except (KeyError, TypeError, ValueError):
                raise InputError(
                    [Problem(path, where, "a span without start, end and text", "export as JSON (not JSON_MIN)")]
                ) from None
            for label in labels or [""]:
                exchange.regions.append(
                    Region(str(item.get("id")), start, end, words, label, "", f"{where} (region {item.get('id')!r})")
                )
        elif kind == "textarea" and item.get("from_name") == REF:
            refs[str(item.get("id"))] = " ".join(value.get("text") or []).strip()
    for region in exchange.regions:
        region.ref = refs.get(region.id, "")
    return exchange
