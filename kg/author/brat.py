"""brat standoff: ``.ann`` files (T, R, A, N and # lines) to and from regions.

brat counts offsets in characters, as the project does. Labels may not contain spaces in brat, so a
mapping label ``Acting capacity`` is the brat type ``Acting_capacity``. A region's ref is an
``AnnotatorNotes`` (#) line; a speaker region's registry actor is a normalisation (N) line
(``Reference T3 registry:mark-rutte``); the attribute (A) ``Edited`` marks an edited quote. The
skeleton travels in a sidecar file ``NAME.kg.yaml`` beside ``NAME.ann``.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.author.regions import Exchange, Mapping, Region, Relation
from kg.errors import InputError, Problem


def brat_type(label: str) -> str:
    return label.replace(" ", "_")


def annotation_conf(mapping: Mapping) -> str:
    """brat's annotation.conf for the mapping's labels and relations."""
    entities = "\n".join(brat_type(label) for label in mapping.spans)
    speakers = [brat_type(label) for label, meaning in mapping.spans.items() if meaning.get("speaker")]
    relations = "\n".join(
        f"{label}\tArg1:<ENTITY>, Arg2:{'|'.join(speakers) if meaning.get('to') == 'speaker' and speakers else '<ENTITY>'}"
        for label, meaning in mapping.relations.items()
    )
    return (
        "# Positions KG: generated from kg/author/tools/mapping.yaml (kg/author/brat.py).\n"
        f"[entities]\n{entities}\n\n[relations]\n{relations}\n\n[events]\n\n[attributes]\nEdited\tArg:<ENTITY>\n"
    )


def write_ann(exchange: Exchange) -> str:
    lines = []
    for number, region in enumerate(exchange.regions, start=1):
        if "\n" in region.text:
            raise InputError([Problem("brat", region.ref, "a span over a line break", "split it in two spans")])
        lines.append(f"T{number}\t{brat_type(region.label)} {region.start} {region.end}\t{region.text}")
        if region.ref:
            lines.append(f"#{number}\tAnnotatorNotes T{number}\t{region.ref}")
    index = {region.id: f"T{n}" for n, region in enumerate(exchange.regions, start=1)}
    for number, relation in enumerate(exchange.relations, start=1):
        lines.append(f"R{number}\t{relation.label} Arg1:{index[relation.source]} Arg2:{index[relation.target]}")
    return "\n".join(lines) + "\n"


_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_R = re.compile(r"^(R\d+)\t(\S+) Arg1:(\S+) Arg2:(\S+)\s*$")
_A = re.compile(r"^(A\d+)\t(\S+) (\S+)(?: (\S+))?\s*$")
_N = re.compile(r"^(N\d+)\t(\S+) (\S+) (\S+)\t?(.*)$")
_NOTE = re.compile(r"^(#\d+)\t(\S+) (\S+)\t(.*)$")


def read_ann(path: Path, text: str, mapping: Mapping) -> Exchange:
    """Regions and relations of a ``.ann`` file; every malformed line named with its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(
            [Problem(path, "", f"cannot read the brat file: {err}", "check the path and encoding (UTF-8)")]
        ) from err
    labels = {brat_type(label): label for label in mapping.spans}
    exchange = Exchange(text)
    problems: list[Problem] = []
    by_id: dict[str, Region] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        if match := _T.match(line):
            ident, kind, spans, words = match.groups()
            pieces = [tuple(map(int, piece.split())) for piece in spans.split(";")]
            start, end = pieces[0][0], pieces[-1][1]
            if len(pieces) > 1:
                words = text[start:end] if text[start:end].replace("\n", " ") == words else words
            region = Region(ident, start, end, words, labels.get(kind, kind), "", f"{where} ({ident})")
            exchange.regions.append(region)
            by_id[ident] = region
        elif match := _R.match(line):
            ident, kind, source, target = match.groups()
            exchange.relations.append(Relation(source, target, kind, f"{where} ({ident})"))
        elif match := _NOTE.match(line):
            _, _, target, note = match.groups()
            if target in by_id:
                by_id[target].ref = note.strip()
            else:
                problems.append(Problem(path, where, f"a note on {target!r}, which the file lacks", "delete the line"))
        elif match := _A.match(line):
            _, name, target, _value = match.groups()
            if target not in by_id:
                problems.append(
                    Problem(path, where, f"attribute {name} of {target!r}, which the file lacks", "delete the line")
                )
        elif _N.match(line):
            continue  # speaker normalisations: the speaker's text is resolved against the registry anyway
        else:
            problems.append(
                Problem(path, where, f"not a brat standoff line: {line[:60]!r}", "expected T, R, A, N or # lines")
            )
    if problems:
        raise InputError(problems)
    if not exchange.regions:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    "the export is empty (no T line)",
                    "annotate the article in brat, then import its .ann file",
                )
            ]
        )
    return exchange
