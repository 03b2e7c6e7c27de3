"""Per-language rule sets of ``kg draft``: reporting verbs, stance cues, condition patterns, ...

A rule set is a YAML file in ``kg/author/rules/`` named by its language code (``en.yaml``); adding
French, German or Arabic is adding a file with the same keys. Every pattern is compiled when the
file is loaded, so a broken rule is reported with its file and key before any article is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.ingest.yamlfile import load_yaml

RULES_DIR = Path(__file__).resolve().parent / "rules"

REQUIRED_KEYS = (
    "language",
    "version",
    "quote_marks",
    "reporting_verbs",
    "object_verbs",
    "attribution_before_speaker",
    "between_speaker_and_verb",
    "person_pronouns",
    "edit_marks",
    "clause_breaks",
    "weekdays",
    "months",
    "month_abbreviations",
    "relative_days",
    "venues",
    "titles",
    "demonyms",
    "not_names",
    "stances",
    "conditions",
)


@dataclass(frozen=True)
class Cue:
    """One pattern rule: a stance cue, a condition pattern or a venue cue."""

    rule: str
    pattern: re.Pattern[str]
    fields: dict[str, Any]


@dataclass(frozen=True)
class RuleSet:
    language: str
    version: str
    path: Path
    data: dict[str, Any]
    stances: tuple[Cue, ...]
    conditions: tuple[Cue, ...]

    @property
    def label(self) -> str:
        return f"kg draft rules {self.language} v{self.version}"

    def words(self, key: str) -> list[str]:
        return [str(w) for w in self.data[key]]


def available_languages() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.yaml"))


@cache
def load_rules(language: str) -> RuleSet:
    """The rule set of ``language``; InputError naming the file and key when it is unusable."""
    path = RULES_DIR / f"{language}.yaml"
    if not re.fullmatch(r"[a-z]{2,3}", language) or not path.is_file():
        raise InputError(
            [
                Problem(
                    str(path),
                    "",
                    f"no draft rules for language {language!r}",
                    f"use one of: {', '.join(available_languages())}, or add kg/author/rules/{language}.yaml",
                )
            ]
        )
    doc = load_yaml(path, "draft rules")
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = [doc.problem((key,), "missing key", "copy it from en.yaml") for key in REQUIRED_KEYS if key not in data]
    if problems:
        raise InputError(problems)

    for key in REQUIRED_KEYS:
        value = data.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, bool):
                    problems.append(
                        doc.problem((key, index), f"{item!r} read as a yes/no value", 'quote the word, e.g. "on"')
                    )

    def cues(section: str) -> tuple[Cue, ...]:
        compiled = []
        for index, entry in enumerate(data[section]):
            try:
                pattern = re.compile(entry["pattern"], re.IGNORECASE)
            except (re.error, KeyError, TypeError) as err:
                problems.append(doc.problem((section, index), f"unusable pattern: {err}", "fix the regular expression"))
                continue
            fields = {k: v for k, v in entry.items() if k not in {"rule", "pattern"}}
            compiled.append(Cue(str(entry.get("rule", f"{section}-{index}")), pattern, fields))
        return tuple(compiled)

    stances, conditions = cues("stances"), cues("conditions")
    if problems:
        raise InputError(problems)
    return RuleSet(str(data["language"]), str(data["version"]), path, data, stances, conditions)
