"""The validation report: findings grouped by article, and the three ways it is shown.

A SHACL result belongs to the article whose graph its focus node is in (its source id), else to the
registry group. Renderers: text for people (the README shows it), JSON for programs, and the W3C
report graph as Turtle.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.terms import ARTICLE, curie, namespace_manager

REGISTRY_GROUP = "registry"
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Finding:
    """One SHACL result, flattened for people and JSON."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str


@dataclass
class Report:
    """Findings grouped by article (source id, or ``registry``)."""

    by_group: dict[str, list[Finding]] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)

    def findings(self, group: str) -> list[Finding]:
        return self.by_group.get(group, [])

    def count(self, severity: str, group: str | None = None) -> int:
        groups = [group] if group else list(self.by_group)
        return sum(1 for g in groups for f in self.findings(g) if f.severity == severity)

    def conforms(self, group: str | None = None) -> bool:
        return self.count("Violation", group) == 0

    def merge(self, other: Report) -> None:
        for group, findings in other.by_group.items():
            self.by_group.setdefault(group, []).extend(findings)
        self.graph += other.graph


def group_of(focus: Node, articles: Mapping[str, Graph] | None = None, registry: Graph | None = None) -> str:
    """The group of a result: the article whose graph its focus node is in, else the registry.

    An article IRI names its article. Any other node (a blank node, a registry IRI an article adds
    statements about) belongs to the first article (by source id) it is the subject of in
    ``articles``; else to the registry if the registry graph has it; else to the first article that
    has it as object; else to the registry group. Without ``articles`` only article IRIs are placed.
    """
    text = str(focus)
    if isinstance(focus, URIRef) and text.startswith(str(ARTICLE)):
        return text[len(str(ARTICLE)) :].split("/", 1)[0]
    if not articles:
        return REGISTRY_GROUP
    for sid in sorted(articles):
        if (focus, None, None) in articles[sid]:
            return sid
    if registry is not None and ((focus, None, None) in registry or (None, None, focus) in registry):
        return REGISTRY_GROUP
    for sid in sorted(articles):
        if (None, None, focus) in articles[sid]:
            return sid
    return REGISTRY_GROUP


def conforming_report_graph() -> Graph:
    """The W3C report of a run with no results (what pySHACL would have said)."""
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    return graph


def engine_error_finding(focus: Node, error: BaseException) -> Finding:
    """The finding for an article the reference engine could not validate (it raised)."""
    reason = f"{type(error).__name__}: {error}".strip().rstrip(":")
    return Finding(
        severity="Violation",
        focus=curie(focus),
        path="",
        value="",
        message=f"pySHACL could not validate this article ({reason[:300]}). The graph is likely malformed, "
        "e.g. a literal whose text is not valid for its datatype: fix it and validate again.",
        shape="",
    )


def add_engine_error(graph: Graph, finding: Finding, focus: Node) -> None:
    """``finding`` as an sh:ValidationResult of the report graph (which then no longer conforms)."""
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    if report is None:
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
    graph.set((report, SH.conforms, Literal(False)))
    result = BNode()
    graph.add((report, SH.result, result))
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.focusNode, focus))
    graph.add((result, SH.resultSeverity, SH.Violation))
    graph.add((result, SH.resultMessage, Literal(finding.message)))


def finding_of(graph: Graph, result: Node) -> Finding:
    severity = graph.value(result, SH.resultSeverity)
    focus = graph.value(result, SH.focusNode)
    value = graph.value(result, SH.value)
    messages = sorted(str(m) for m in graph.objects(result, SH.resultMessage))
    shape = graph.value(result, SH.sourceShape)
    return Finding(
        severity=SEVERITIES.get(severity, curie(severity)) if isinstance(severity, URIRef) else curie(severity),
        focus=curie(focus),
        path=curie(graph.value(result, SH.resultPath)),
        value=curie(value) if value is not None else "",
        message=messages[0] if messages else "(no message)",
        shape=curie(shape) if isinstance(shape, URIRef) else "",
    )


# -- rendering ---------------------------------------------------------------------------------


def render_text(report: Report, sources: Mapping[str, str] | None = None, per_shape: int | None = None) -> str:
    """One block per article and focus node, as the README shows; with ``per_shape``, only the first
    findings of each shape in each article, the others counted (a flood stays readable)."""
    sources = sources or {}
    lines: list[str] = []
    for group in sorted(report.by_group):
        findings, hidden = _first_per_shape(report.by_group[group], per_shape)
        if not findings:
            continue
        title = "registry" if group == REGISTRY_GROUP else f"article {group}"
        lines.append(f"{sources.get(group, title)} ({title})")
        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_focus[finding.focus].append(finding)
        for focus, items in by_focus.items():
            lines.append(f"  {focus}")
            for f in items:
                value = f"  value {f.value}" if f.value else ""
                lines.append(f"    {f.severity:<9} {f.path or '-'}{value}\n              {f.message}")
        lines += [f"  ... and {n} more {severity}(s) of {shape} (not shown)" for (severity, shape), n in hidden.items()]
    violations, warnings = report.count("Violation"), report.count("Warning")
    lines.append(f"{violations} violation(s), {warnings} warning(s) in {len(report.by_group)} graph group(s).")
    return "\n".join(lines) + "\n"


def _first_per_shape(findings: list[Finding], limit: int | None) -> tuple[list[Finding], dict[tuple[str, str], int]]:
    if limit is None:
        return findings, {}
    shown: list[Finding] = []
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for finding in findings:
        key = (finding.severity, finding.shape or finding.message)
        seen[key] += 1
        if seen[key] <= limit:
            shown.append(finding)
    return shown, {key: n - limit for key, n in seen.items() if n > limit}


def render_json(report: Report, sources: Mapping[str, str] | None = None) -> str:
    sources = sources or {}
    return (
        json.dumps(
            {
                "conforms": report.conforms(),
                "violations": report.count("Violation"),
                "warnings": report.count("Warning"),
                "groups": [
                    {
                        "group": group,
                        "source": sources.get(group),
                        "conforms": report.conforms(group),
                        "results": [asdict(f) for f in report.by_group[group]],
                    }
                    for group in sorted(report.by_group)
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def render_turtle(report: Report) -> str:
    graph = Graph(namespace_manager=namespace_manager())
    graph += report.graph
    return graph.serialize(format="turtle")
