"""A short property-based fuzz of the annotation and registry loaders (the long run:
``python bench/fuzz_loaders.py``): every document ends in a checked article or an input error with a
message, never another exception. See ``tests/loader_fuzz.py`` for the generators."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from loader_fuzz import SEED, annotation_documents, check_annotation, check_registry, registry_documents

from kg.ingest.annotations import load_registry

FOLDER = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
shutil.copy(SEED.with_suffix(".txt"), FOLDER)
REGISTRY = load_registry(SEED.parent / "registry.yaml")
OUTCOMES: Counter[str] = Counter()

FAST = settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@FAST
@given(annotation_documents)
def test_any_annotation_is_an_article_or_an_input_error(document: str) -> None:
    OUTCOMES[check_annotation(FOLDER, document, REGISTRY)] += 1


@FAST
@given(registry_documents)
def test_any_registry_is_a_registry_or_an_input_error(document: str) -> None:
    check_registry(FOLDER, document)


def test_the_fuzz_reaches_both_outcomes() -> None:
    """The generators are not all rejected at the YAML or schema stage: some edited seeds still load."""
    for document in ("", "article: 1\n", SEED.read_text(encoding="utf-8")):
        OUTCOMES[check_annotation(FOLDER, document, REGISTRY)] += 1
    assert OUTCOMES["stored"] >= 1 and OUTCOMES["error"] >= 2
