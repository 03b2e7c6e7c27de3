"""Every kind of bad input gets a message naming the file, line and field, exit code 2, and the
store is left unchanged (it still holds exactly what it held before the failed run)."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SEED

from kg.cli import main
from kg.ingest.schema import validator
from kg.ingest.yamlfile import load_yaml
from kg.store import EmbeddedStore

SEED_TEXT = SEED.read_text(encoding="utf-8")


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


@dataclass
class Case:
    name: str
    mutate: Callable[[Path], None]
    expected: list[str]  # fragments the error output must contain


def replace(old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def mutate(corpus: Path) -> None:
        path = corpus / SEED.name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, f"fixture text {old!r} not in the seed annotation"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def write_bytes(data: bytes) -> Callable[[Path], None]:
    def mutate(corpus: Path) -> None:
        (corpus / SEED.name).write_bytes(data)

    return mutate


def remove_text(corpus: Path) -> None:
    (corpus / SEED.with_suffix(".txt").name).unlink()


OCCURRENCE_LINE = line_of(SEED_TEXT, "occurrence: 2")
QUOTE_LINE = line_of(SEED_TEXT, 'quote: "absolutely no plans whatever"')
CASES = [
    Case(
        "malformed YAML",
        replace("    holders: [nato]\n", "    holders: [nato\n"),
        [f"{SEED.name}:{line_of(SEED_TEXT, '    holders: [nato]') + 1}", "malformed YAML", "fix the YAML syntax"],
    ),
    Case(
        "unknown key",
        replace("    holders: [nato]\n", "    holders: [nato]\n    colour: blue\n"),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, '    holders: [nato]') + 1}: positions[0].colour: unknown key 'colour'",
            "allowed keys here: action, change_type, conditions, draft, exception_to",
        ],
    ),
    Case(
        "missing required field",
        replace("    stance: refuses-participation\n", "", 1),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, '  - id: nato-no-participation')}: positions[0]: missing required field 'stance'",
            "add 'stance:' here",
        ],
    ),
    Case(
        "unknown actor slug",
        replace("    holders: [nato]\n", "    holders: [natoo]\n"),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, '    holders: [nato]')}: positions[0].holders[0]: unknown actor 'natoo'",
            "did you mean 'nato'?",
        ],
    ),
    Case(
        "unknown stance",
        replace("stance: refuses-participation", "stance: refuse-participation"),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, 'stance: refuses-participation')}: positions[0].stance: "
            "unknown stance 'refuse-participation'",
            "did you mean 'refuses-participation'?",
            "allowed: abstains, acknowledges, affirms, authorises, calls-for",
        ],
    ),
    Case(
        "unknown action type",
        replace("types: [self-defence-of-own-forces]", "types: [self-defence-of-own-force]"),
        ["unknown action-type 'self-defence-of-own-force'", "did you mean 'self-defence-of-own-forces'?"],
    ),
    Case(
        "unknown condition type",
        replace("- type: acting-capacity", "- type: acting-capacities"),
        ["unknown condition-type 'acting-capacities'", "did you mean 'acting-capacity'?"],
    ),
    Case(
        "quote not in text",
        replace('quote: "absolutely no plans whatever"', 'quote: "absolutely no plans whatsoever"'),
        [
            f"{SEED.name}:{QUOTE_LINE}: statements[0].evidence[2].quote: quote not found in the article text",
            "closest passage at offset",
            "absolutely no plans whatever",
        ],
    ),
    Case(
        "ambiguous quote",
        replace("occurrence: 2", "edited: false"),
        [
            f"{SEED.name}:{OCCURRENCE_LINE - 2}",
            "quote occurs 2 times (at offsets 1409, 2840)",
            "add 'occurrence: N' (1 to 2)",
        ],
    ),
    Case(
        "impossible date",
        replace("stated_on: 2026-03-02", "stated_on: 2026-02-30"),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, 'stated_on: 2026-03-02')}: statements[0].stated_on: '2026-02-30' is not a real date"
        ],
    ),
    Case(
        "invalid date",
        replace("stated_on: 2026-03-02", "stated_on: Monday"),
        ["statements[0].stated_on: 'Monday' is not a valid date", "write it as 2026-03-02"],
    ),
    Case(
        "duplicate ids",
        replace("  - id: rutte-praise", "  - id: rutte-ard"),
        [
            f"{SEED.name}:{line_of(SEED_TEXT, '  - id: rutte-praise')}: statements[1].id: id 'rutte-ard' is already used",
            "ids must be unique within an article",
        ],
    ),
    Case(
        "bad slug",
        replace("  - id: rutte-praise", "  - id: Rutte_Praise"),
        ["statements[1].id: 'Rutte_Praise' is not a valid slug", "use only lower-case letters a-z, digits 0-9"],
    ),
    Case("empty file", write_bytes(b"  \n"), [f"{SEED.name}: the annotation file is empty"]),
    Case(
        "not UTF-8",
        write_bytes(SEED_TEXT.encode("utf-8").replace(b"NATO Rules", b"NATO \xff Rules")),
        [f"{SEED.name}:{line_of(SEED_TEXT, 'NATO Rules')}: not valid UTF-8", "save the file as UTF-8"],
    ),
    Case(
        "missing text file",
        remove_text,
        [f"{SEED.name}:{line_of(SEED_TEXT, '  text: ')}: article.text: article text file not found"],
    ),
]


def stored_quads(store_dir: Path) -> list[str]:
    with EmbeddedStore(store_dir) as store:
        return sorted(map(str, store.quads()))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    # The seed with the registry and the corpus-level file it references (the other example
    # articles would be re-ingested beside it and change the provenance times).
    target = tmp_path / "corpus"
    target.mkdir()
    for name in ("registry.yaml", "corpus.yaml", SEED.name, SEED.with_suffix(".txt").name):
        shutil.copy(CORPUS / name, target / name)
    return target


def test_every_case_is_listed() -> None:
    assert len(CASES) == 16


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_and_nothing_is_stored(
    case: Case, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = tmp_path / "store"
    # A store that already holds the good article: a failed run must leave it exactly as it was.
    assert main(["ingest", str(corpus), "--store", str(store_dir)]) == 0
    before = stored_quads(store_dir)
    capsys.readouterr()

    case.mutate(corpus)
    assert main(["ingest", str(corpus), "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err
    for fragment in case.expected:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert stored_quads(store_dir) == before


def test_bad_input_into_an_empty_store_stores_nothing(corpus: Path, tmp_path: Path) -> None:
    replace("stance: refuses-participation", "stance: nonsense")(corpus)
    store_dir = tmp_path / "store"
    assert main(["ingest", str(corpus), "--store", str(store_dir)]) == 2
    assert stored_quads(store_dir) == []


def test_all_problems_of_a_file_are_reported_together(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace("holders: [nato]", "holders: [natoo]")(corpus)
    replace("holders: [mark-rutte]", "holders: [mark-rute]")(corpus)
    assert main(["ingest", str(corpus), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "unknown actor 'natoo'" in err and "unknown actor 'mark-rute'" in err


def test_bad_registry_is_an_input_error(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = corpus / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("type: InternationalOrganization", "type: Alliance", 1), encoding="utf-8")
    assert main(["ingest", str(corpus), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"registry.yaml:{line_of(text, 'type: InternationalOrganization')}" in err
    assert "unknown actor type 'Alliance'" in err


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err


def _mutations(node: object, path: tuple[object, ...] = ()) -> Iterator[tuple[str, str, tuple[object, ...], object]]:
    """(description, action, path, value) edits of the seed document: every key dropped, an unknown
    key in every mapping, every list emptied, every value replaced by a number and by a mapping."""
    if isinstance(node, dict):
        yield f"{path}: unknown key", "add", path, "colour"
        for key, value in node.items():
            yield f"{path + (key,)}: dropped", "drop", path, key
            yield from _mutations(value, path + (key,))
    elif isinstance(node, list):
        yield f"{path}: emptied", "set", path, []
        for index, value in enumerate(node[:2]):  # list items share a shape: two are enough
            yield from _mutations(value, path + (index,))
    if path:
        yield f"{path}: a number", "set", path, 7
        yield f"{path}: a mapping", "set", path, {"x": 1}


def _edited(document: Any, action: str, path: tuple[object, ...], value: object) -> Any:
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1] if action == "set" else path:
        parent = parent[step]
    if action == "add":
        parent[value] = "blue"
    elif action == "drop":
        del parent[value]
    else:
        parent[path[-1]] = value
    return document


def test_the_fast_schema_check_agrees_with_jsonschema() -> None:
    """fastjsonschema short-cuts the documents it accepts, so it must reject whatever jsonschema
    rejects: checked on the seed and on every edit of it that _mutations makes."""
    check = validator("article")
    seed = load_yaml(SEED, "annotation file").data
    assert not list(check.iter_errors(seed)) and not list(check.reference.iter_errors(seed))
    compared = rejected = 0
    for description, action, path, value in _mutations(seed):
        document = _edited(seed, action, path, value)
        reference_accepts = not list(check.reference.iter_errors(document))
        assert (not list(check.iter_errors(document))) == reference_accepts, description
        compared += 1
        rejected += not reference_accepts
    assert compared > 400 and rejected > 250, (compared, rejected)
