"""Read a YAML annotation file, remembering the line of every field, and check it against a schema.

PyYAML's composer gives each node its position; we walk the composed tree beside the loaded data so
that every problem found later (schema, references, quotes) can name the line an annotator must fix.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml
from jsonschema.exceptions import ValidationError

from kg.errors import InputError, Problem
from kg.ingest.limits import FILE_BYTES, YAML_DEPTH, YAML_VALUES
from kg.iris import SLUG_RULE
from kg.vocabulary import lookup_key, synonyms

if TYPE_CHECKING:
    from kg.ingest.schema import SchemaValidator

JsonPath = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it: about ten times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps dates and times as strings: we check and type them ourselves."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlDocument:
    """Loaded YAML data plus the line (1-based) of every mapping key and sequence item."""

    path: Path
    data: Any
    lines: dict[JsonPath, int] = field(default_factory=dict)

    def line(self, path: JsonPath) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: JsonPath, message: str, hint: str = "") -> Problem:
        return Problem(self.path, dotted(path), message, hint, self.line(path))


def dotted(path: JsonPath) -> str:
    """``("positions", 2, "stance")`` -> ``positions[2].stance``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_file(path: Path, what: str) -> None:
    """Raise an InputError naming ``path`` unless it is a readable regular file within
    :data:`~kg.ingest.limits.FILE_BYTES` (a dangling or looping symbolic link, a folder, a FIFO
    that would block, an unreadable or oversized file each get their own reason)."""
    try:
        info = path.stat()  # follows symbolic links
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(path, "", f"the {what} is not a regular file", "name a file")])
        if info.st_size > FILE_BYTES.value:
            raise InputError([FILE_BYTES.problem(path, "", info.st_size, f"the {what} file has", _SPLIT)])
        if not os.access(path, os.R_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    except OSError as err:
        raise _unreadable(path, what, err) from None


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 file, turning every way it can fail into an InputError naming the file.

    Only regular files are read (a FIFO or a device would block or never end), and no more than
    :data:`~kg.ingest.limits.FILE_BYTES` of them.
    """
    check_file(path, what)
    limit = FILE_BYTES.value
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as err:
        raise _unreadable(path, what, err) from err
    if len(raw) > limit:  # grew since it was checked
        raise InputError([FILE_BYTES.problem(path, "", len(raw), f"the {what} file has", _SPLIT)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            [Problem(path, "", f"not valid UTF-8 (byte {err.start})", "save the file as UTF-8", line)]
        ) from err
    if not text.strip():
        raise InputError([Problem(path, "", f"the {what} file is empty", f"write the {what} or remove the file")])
    return text.removeprefix("\ufeff")


def _unreadable(path: Path, what: str, err: OSError) -> InputError:
    if isinstance(err, FileNotFoundError):
        if path.is_symlink():
            message = f"{what} file not found: it is a symbolic link to {os.readlink(path)}, which does not exist"
            return InputError([Problem(path, "", message, "fix or remove the link")])
        return InputError([Problem(path, "", f"{what} file not found", "check the path")])
    if err.errno == errno.ELOOP:
        return InputError([Problem(path, "", f"cannot read {what} file: a symbolic link that loops", "fix the link")])
    return InputError([Problem(path, "", f"cannot read {what} file: {err.strerror or err}", _READ_HINT)])


def sibling(doc: YamlDocument, field: JsonPath, name: str) -> Path:
    """The file ``name`` (a value at ``field`` of ``doc``) in the same folder as ``doc``'s file.

    Only a plain file name is accepted: a folder part (``sub/other.txt``, ``../x.txt``, an absolute
    path) would reach outside the article's folder, so it is an input error at that field's line.
    """
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise InputError(
            [
                doc.problem(
                    field,
                    f"{name!r} is not a file name in the annotation's folder",
                    "name a file beside the annotation, without any folder (e.g. 'article.txt')",
                )
            ]
        )
    return doc.path.with_name(name)


_SPLIT = "split the file"
_FLATTEN = "flatten the structure"
_READ_HINT = "check that the file exists and is readable (permissions, symbolic links)"


def load_yaml(path: Path, what: str) -> YamlDocument:
    """Parse a YAML file; syntax errors and duplicate keys become InputErrors with their line."""
    text = read_text(path, what)
    document = YamlDocument(path, None)
    try:
        # Parse once: the node tree gives the lines, and the same walk makes the data from it.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                reader = _TreeReader(document, loader)
                document.data = reader.build(node, ())
                if reader.problems:
                    raise InputError(reader.problems)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(
            [Problem(path, "", f"malformed YAML: {err.problem or err}", "fix the YAML syntax at that line", line)]
        ) from err
    except yaml.YAMLError as err:  # a reader error (e.g. a control character) has no problem_mark
        raise InputError([Problem(path, "", f"malformed YAML: {err}", "fix the YAML syntax")]) from err
    return document


class _TreeReader:
    """Walks the composed tree once, as the data will be walked (aliases expanded): makes the data,
    records the line of every key and item, and refuses a tree past the bounds before anything else
    walks it.

    The data is what PyYAML's constructor makes of the tree (an aliased node is made once and shared),
    made here in the same walk: PyYAML's generic construction and a second walk for the lines cost
    a third more (BENCHMARKS.md, run O). Nodes of other tags than text, mapping and list (numbers,
    ``!!set``, ...) are left to PyYAML's constructor.

    PyYAML shares an aliased node instead of copying it, so composing and constructing cost only the
    file's own nodes; every later walk (schema, checks, building) sees the expansion. Counting here,
    and stopping at :data:`YAML_VALUES`, bounds that work for an "alias bomb" as for a huge file; an
    alias inside the node it names would expand forever and is refused as such.
    """

    def __init__(self, doc: YamlDocument, loader: yaml.BaseLoader) -> None:
        self.doc = doc
        self.loader = loader
        self.problems: list[Problem] = []
        self.budget, self.max_depth = YAML_VALUES.value, YAML_DEPTH.value
        self.on_path: set[int] = set()
        self.made: dict[int, Any] = {}  # a collection node's data, by the node's id

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        """The data of ``node`` at ``path``, its lines recorded."""
        if type(node) is yaml.ScalarNode:
            self.budget -= 1
            if self.budget < 0:
                self._too_many(node)
            return node.value if node.tag == _TEXT_TAG else self.loader.construct_object(node, deep=True)
        if id(node) in self.made or node.tag not in _COLLECTION_TAGS:  # an alias met again, or a !!set...
            self.walk(node, path)
            if id(node) not in self.made:
                self.made[id(node)] = self.loader.construct_object(node, deep=True)
            return self.made[id(node)]
        self.budget -= 1
        if self.budget < 0:
            self._too_many(node)
        self._enter(node, path)
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            self.made[id(node)] = mapping
            seen: set[str] = set()
            for key_node, value_node in node.value:
                child = self._key(key_node, path, seen)
                if child is not None:
                    mapping[key_node.value] = self.build(value_node, child)
        else:
            items: list[Any] = []
            self.made[id(node)] = items
            for index, item in enumerate(node.value):
                self.doc.lines[(*path, index)] = item.start_mark.line + 1
                items.append(self.build(item, (*path, index)))
        self.on_path.discard(id(node))
        return self.made[id(node)]

    def walk(self, node: yaml.Node, path: JsonPath) -> None:
        """Record the lines under ``node`` and check its bounds, without making data."""
        self.budget -= 1
        if self.budget < 0:
            self._too_many(node)
        if not isinstance(node, yaml.CollectionNode):
            return
        self._enter(node, path)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                child = self._key(key_node, path, seen)
                if child is not None:
                    self.walk(value_node, child)
        else:
            for index, item in enumerate(node.value):
                self.doc.lines[(*path, index)] = item.start_mark.line + 1
                self.walk(item, (*path, index))
        self.on_path.discard(id(node))

    def _too_many(self, node: yaml.Node) -> NoReturn:
        limit = YAML_VALUES.value
        message = f"more than {limit} YAML values, aliases (*name) counted each time they are used"
        hint = f"{_LESS}, or raise the limit: {YAML_VALUES.variable}={limit * 2}"
        raise InputError([Problem(self.doc.path, "", message, hint, node.start_mark.line + 1)])

    def _enter(self, node: yaml.CollectionNode, path: JsonPath) -> None:
        """Check that the collection ``node`` may be walked at ``path``, and mark it as on the path."""
        if id(node) in self.on_path:
            raise InputError([self.doc.problem(path, _RECURSIVE, _NO_ALIASES)])
        if len(path) >= self.max_depth:
            message = f"its collections nest more than {self.max_depth} levels deep"
            hint = f"{_FLATTEN}, or raise the limit: {YAML_DEPTH.variable}={self.max_depth * 2}"
            raise InputError([Problem(self.doc.path, dotted(path), message, hint, node.start_mark.line + 1)])
        self.on_path.add(id(node))

    def _key(self, key_node: yaml.Node, path: JsonPath, seen: set[str]) -> JsonPath | None:
        """The path of a mapping's key, its line recorded; None (a problem noted) for a key that is not text."""
        key = key_node.value
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _TEXT_TAG:
            shown = key if isinstance(key, str) else "a list or mapping"
            problem = Problem(
                self.doc.path,
                dotted(path),
                f"key {shown!r} is not text (YAML reads it as a number, true/false, null or a collection)",
                "write a field name here (quote it if it must be a number)",
                key_node.start_mark.line + 1,
            )
            self.problems.append(problem)
            return None
        child = (*path, key)
        self.doc.lines[child] = key_node.start_mark.line + 1
        if key in seen:
            self.problems.append(self.doc.problem(child, f"key {key!r} appears twice", "keep one of them"))
        seen.add(key)
        return child


_TEXT_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_LESS = "split the file (and write values out rather than aliasing them)"
_RECURSIVE = "an alias refers to a node that contains it (a recursive structure)"
_NO_ALIASES = "write the values out instead of using anchors and aliases"


def check_schema(doc: YamlDocument, validator: SchemaValidator) -> list[Problem]:
    """Every JSON Schema violation in the document, worded for an annotator."""
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: (doc.line(tuple(e.absolute_path)) or 0, e.message))
    return [_explain(doc, error) for error in errors]


def nearest(value: object, allowed: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    """A 'did you mean' clause for ``value`` among ``allowed``, or an empty string.

    ``names`` maps what an annotator may type for a value (labels, synonyms: normalised as
    :func:`kg.vocabulary.lookup_key` does) to the allowed value. Meaning comes before spelling: a
    name close to a label or synonym ("condemn" -> "condemns", "denounce" -> "condemns") is
    suggested before an allowed value that is merely spelt alike ("condemn" -> "denies").
    """
    if names:
        typed = lookup_key(str(value))
        close = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.75)
        if close and names[close[0]] in allowed:
            return f"did you mean {names[close[0]]!r}? "
    close = difflib.get_close_matches(str(value), list(allowed), n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}? " if close else ""


def _explain(doc: YamlDocument, error: ValidationError) -> Problem:
    path: JsonPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        key = unknown[0]
        return doc.problem(
            (*path, key),
            f"unknown key {key!r}",
            f"{nearest(key, allowed)}allowed keys here: {', '.join(allowed)}",
        )
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return doc.problem(path, f"missing required field {missing!r}", f"add '{missing}:' here")
    if error.validator == "enum":
        scheme = schema.get("x-kg-scheme") or schema.get("x-kg-kind", "value")
        allowed = [str(v) for v in error.validator_value]
        names = synonyms(scheme) if "x-kg-scheme" in schema else None
        return doc.problem(
            path,
            f"unknown {scheme} {error.instance!r}",
            f"{nearest(error.instance, allowed, names)}allowed: {', '.join(allowed)}",
        )
    if error.validator == "pattern":
        kind = schema.get("x-kg-kind")
        if kind == "slug":
            return doc.problem(path, f"{error.instance!r} is not a valid slug", SLUG_RULE)
        if kind in {"date", "datetime"}:
            example = "2026-03-02" if kind == "date" else "2026-03-02T23:36:00"
            return doc.problem(path, f"{error.instance!r} is not a valid {kind}", f"write it as {example}")
        return doc.problem(path, f"{error.instance!r} does not have the expected form ({error.validator_value})")
    if error.validator == "type":
        expected = error.validator_value
        return doc.problem(
            path,
            f"expected {'a list' if expected == 'array' else 'a ' + str(expected)}, got {error.instance!r}",
            "see docs/annotation-format.md for the form of this field",
        )
    if error.validator in {"minItems", "minLength"}:
        return doc.problem(path, "must not be empty", "give at least one value")
    return doc.problem(path, error.message)
