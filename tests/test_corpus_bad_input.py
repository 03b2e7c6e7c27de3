"""Bad input of the many-articles model (issue 12): exit 2, file, line, field, what to do, and a
store left exactly as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CORPUS, SEED

from kg.cli import main
from kg.store import EmbeddedStore


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(corpus: Path) -> None:
        path = corpus / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def add_file(name: str, text: str) -> Callable[[Path], None]:
    def mutate(corpus: Path) -> None:
        (corpus / name).write_text(text, encoding="utf-8")

    return mutate


def line_of(name: str, text: str) -> int:
    return (CORPUS / name).read_text(encoding="utf-8").split(text)[0].count("\n") + 1


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    expected: list[str]


SEED_NAME = SEED.name
CASES = [
    Case(
        "undefined communication",
        edit(SEED_NAME, "communication: e3-joint-statement-2026-03-01", "communication: e3-joint-statement-2026-03-02"),
        [
            f"{SEED_NAME}:{line_of(SEED_NAME, 'communication: e3-joint-statement-2026-03-01')}: "
            "statements[3].communication: unknown communication 'e3-joint-statement-2026-03-02': no corpus file "
            "defines it",
            "did you mean 'e3-joint-statement-2026-03-01'? define it under 'communications:' in corpus.yaml",
        ],
    ),
    Case(
        "undefined corpus action",
        edit(SEED_NAME, "action: de-joins-ops-vs-iran", "action: de-joins-ops-vs-irann"),
        ["positions[5].action: unknown action 'de-joins-ops-vs-irann'"],
    ),
    Case(
        "a corpus id defined twice, differently",
        add_file(
            "more.corpus.yaml",
            "communications:\n  - id: e3-joint-statement-2026-03-01\n    type: joint-statement\n"
            "    speakers: [uk]\n    date: 2026-03-02\n    date_basis: explicit\n",
        ),
        [
            "more.corpus.yaml:2: communications[0].id: communication 'e3-joint-statement-2026-03-01' is also "
            "defined, differently, in",
            "define a corpus-level id once (or identically): keep one definition",
        ],
    ),
    Case(
        "a supersedes cycle",
        lambda corpus: (
            edit(
                SEED_NAME,
                "    exception_to: de-refuses-participation\n",
                "    exception_to: de-refuses-participation\n    supersedes: [de-refuses-participation]\n",
            )(corpus),
            edit(
                SEED_NAME,
                "    expressed_in: [de-reported, wadephul-dlf]\n",
                "    expressed_in: [de-reported, wadephul-dlf]\n    supersedes: [de-self-defence]\n",
            )(corpus),
        ),  # fmt: skip
        [
            "the supersedes/reaffirms/reverses/retracts links form a cycle: de-refuses-participation -> "
            "de-self-defence -> de-refuses-participation",
            "a later position points at earlier ones only: remove one link of the cycle",
        ],
    ),
    Case(
        "superseding another holder's position",
        edit(SEED_NAME, "    stance: praises\n", "    stance: praises\n    supersedes: [uk-authorises-basing]\n"),
        [
            "positions[1].supersedes[0]: supersedes: 'uk-authorises-basing' is held by uk, not by mark-rutte",
            "a position can only supersede, reaffirm, reverse or retract a position of its own holder",
        ],
    ),
    Case(
        "an office term ending before it starts",
        edit(
            "registry.yaml",
            "{holder: heiko-maas, start: 2018-03-14, end: 2021-12-08}",
            "{holder: heiko-maas, start: 2018-03-14, end: 2017-12-08}",
        ),  # fmt: skip
        [
            f"registry.yaml:{line_of('registry.yaml', '{holder: heiko-maas')}: posts[1].terms[0].end: the term ends "
            "(2017-12-08) before it starts (2018-03-14)",
            "leave 'end' out while the holder is still in office",
        ],
    ),
    Case(
        "a speaker who held no such office that day",
        edit(
            "registry.yaml",
            "{holder: johann-wadephul, start: 2025-05-06}",
            "{holder: johann-wadephul, start: 2026-05-06}",
        ),  # fmt: skip
        [
            "statements[5].capacity: 'johann-wadephul' did not hold 'de-foreign-minister' on 2026-03-02 according "
            "to the registry's terms",
            "add the term to the post in registry.yaml",
        ],
    ),
    Case(
        "corpus fields repeated on a statement reporting a communication",
        edit(
            SEED_NAME,
            "    communication: e3-joint-statement-2026-03-01\n",
            "    communication: e3-joint-statement-2026-03-01\n    stated_on: 2026-03-01\n",
        ),  # fmt: skip
        [
            "statements[3].stated_on: 'stated_on' comes from the corpus file for a statement that reports "
            "communication 'e3-joint-statement-2026-03-01'",
        ],
    ),
    Case(
        "a quote tied to a position its statement does not express",
        edit(SEED_NAME, "        supports: [e3-defend-interests]", "        supports: [nato-no-participation]"),
        [
            "statements[3].evidence[0].supports[0]: statement 'e3-joint' does not express a position "
            "'nato-no-participation'",
        ],
    ),
]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for name in ("registry.yaml", "corpus.yaml", SEED_NAME, SEED.with_suffix(".txt").name):
        shutil.copy(CORPUS / name, target / name)
    return target


def quads(store_dir: Path) -> list[str]:
    with EmbeddedStore(store_dir) as store:
        return sorted(str(q) for q in store.quads())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_and_the_store_is_unchanged(
    case: Case, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = tmp_path / "store"
    assert main(["ingest", str(corpus), "--store", str(store_dir)]) == 0
    before = quads(store_dir)
    capsys.readouterr()
    case.mutate(corpus)
    assert main(["ingest", str(corpus), "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err
    for fragment in case.expected:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "Traceback" not in err
    assert quads(store_dir) == before
