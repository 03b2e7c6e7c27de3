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


def group_of(focus: Node) -> str:
    """The article a focus node belongs to (its source id), or the registry group."""
    text = str(focus)
    if text.startswith(str(ARTICLE)):
        return text[len(str(ARTICLE)) :].split("/", 1)[0]
    return REGISTRY_GROUP


def conforming_report_graph() -> Graph:
    """The W3C report of a run with no results (what pySHACL would have said)."""
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    return graph


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


def render_text(report: Report, sources: Mapping[str, str] | None = None) -> str:
    """One block per article and focus node, as the README shows."""
    sources = sources or {}
    lines: list[str] = []
    for group in sorted(report.by_group):
        findings = report.by_group[group]
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
    violations, warnings = report.count("Violation"), report.count("Warning")
    lines.append(f"{violations} violation(s), {warnings} warning(s) in {len(report.by_group)} graph group(s).")
    return "\n".join(lines) + "\n"


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
