"""Property-based fuzz of the annotation and registry loaders (Hypothesis), shared by the short run in
``tests/test_fuzz_loaders.py`` and the long one in ``bench/fuzz_loaders.py``.

The property: whatever YAML document an annotation (or registry) file holds, loading it ends in a
checked article whose graph can be built, or in an :class:`~kg.errors.InputError` with a message:
never another exception (which ``kg ingest`` would report as "not foreseen"), a hang or a memory
blow-up (the input limits bound those).

Documents come from four generators: any text; YAML written from arbitrary JSON-like data; YAML's
own features (anchors and aliases, tags, merge keys, complex keys, odd scalars); and the seed
article or registry with a few of its values replaced, dropped, or swapped for another of its values
(which keeps most of the document valid, so the checks behind the schema are reached).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest.annotations import Registry, load_article, load_registry
from kg.ingest.build import article_graph

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "articles" / "000_4b2d17f57ebafa46.yaml"
REGISTRY = REPO / "articles" / "registry.yaml"

Path_ = tuple[Any, ...]


def _paths(node: Any, path: Path_ = ()) -> list[Path_]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value)]
    return [node]


SEED_DATA = yaml.safe_load(SEED.read_text(encoding="utf-8"))
REGISTRY_DATA = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", " ", "2026-02-30", "2026-03-02T25:00:00", "nato", "x" * 300, "\r\n", "é\u0301", "~"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@st.composite
def edited(draw: st.DrawFn, base: Any) -> str:
    """``base`` with one to three of its values replaced, dropped or swapped for another of its values."""
    data = copy.deepcopy(base)
    paths, leaves = _paths(base), _leaves(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "swap", "drop", "duplicate"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "swap":
                parent[path[-1]] = draw(st.sampled_from(leaves))
            elif action == "drop":
                del parent[path[-1]]
            elif isinstance(parent, list):
                parent.append(copy.deepcopy(parent[path[-1]]))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced the path: keep the other edits
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


yaml_features = st.sampled_from(
    [
        "a: &x [1, 2]\nb: *x\n",
        "a: &x {k: *x}\n",
        "? [a, b]\n: 1\n",
        "? {a: 1}\n: 1\n",
        "<<: {article: 1}\nstatements: []\n",
        "article: !!binary aGVsbG8=\n",
        "article: !!python/object:os.system {}\n",
        "article: !custom x\n",
        "article: 0x1F\nstatements: .nan\n",
        "--- a\n--- b\n",
        "article:\n\tsource_id: x\n",
        "article: {source_id: x, source_id: y}\n",
        "\ufeffarticle: 1\n",
        "article: '\x00'\n",
        "article: [" * 70 + "]" * 70 + "\n",
        "null: 1\n1: 2\ntrue: 3\n",
    ]
)

annotation_documents = st.one_of(
    st.text(max_size=400),
    json_values.map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
    yaml_features,
    yaml_features.flatmap(lambda feature: edited(SEED_DATA).map(lambda text: text + feature)),
    edited(SEED_DATA),
    edited(SEED_DATA),
    edited(SEED_DATA),
)
registry_documents = st.one_of(
    st.text(max_size=400),
    json_values.map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
    yaml_features,
    edited(REGISTRY_DATA),
    edited(REGISTRY_DATA),
)


def check_annotation(folder: Path, document: str, registry: Registry) -> str:
    """Load ``document`` as an annotation in ``folder`` (which holds the seed text): "stored" (checked,
    and its graph built) or "error" (an InputError with a message); anything else fails."""
    path = folder / SEED.name
    path.write_text(document, encoding="utf-8")
    try:
        article = load_article(path, registry)
    except InputError as err:
        assert err.problems and all(problem.message for problem in err.problems), err
        return "error"
    assert len(article_graph(article, registry)) > 0
    return "stored"


def check_registry(folder: Path, document: str) -> str:
    path = folder / "registry.yaml"
    path.write_text(document, encoding="utf-8")
    try:
        load_registry(path)
    except InputError as err:
        assert err.problems and all(problem.message for problem in err.problems), err
        return "error"
    return "stored"
