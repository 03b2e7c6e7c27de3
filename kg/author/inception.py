"""INCEpTION / WebAnno: a UIMA CAS XMI export (a .zip with the .xmi and TypeSystem.xml, or an .xmi
with TypeSystem.xml beside it) to regions.

dkpro-cassis reads the CAS and turns its offsets, counted in UTF-16 code units as UIMA (Java)
counts them, into characters. Span layers are the custom layers (``webanno.custom.*``) without
``Governor``/``Dependent``: a region's label is the feature ``label`` (else ``value``, else the
layer's name) and its ref the feature ``ref``. Relation layers have ``Governor`` and ``Dependent``
features, from the governor to the dependent (``said-by``: evidence -> speaker); their label is the
feature ``label`` (else the layer's name).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from kg.author.regions import Exchange, Mapping, Region, Relation
from kg.errors import InputError, Problem
from kg.ingest.anchoring import normalise

CUSTOM = "webanno.custom."


def _sources(path: Path) -> tuple[str, str]:
    """The XMI and type system texts of an export."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                xmi = [n for n in names if n.endswith(".xmi")]
                types = [n for n in names if n.lower().endswith("typesystem.xml")]
                if len(xmi) != 1 or not types:
                    raise InputError(
                        [
                            Problem(
                                path,
                                "",
                                f"expected one .xmi and a TypeSystem.xml in the archive, found {names}",
                                "export the document as 'UIMA CAS XMI'",
                            )
                        ]
                    )
                return archive.read(xmi[0]).decode("utf-8"), archive.read(types[0]).decode("utf-8")
        types_path = next(
            (p for p in (path.with_name("TypeSystem.xml"), path.with_name("typesystem.xml")) if p.is_file()), None
        )
        if types_path is None:
            raise InputError(
                [
                    Problem(
                        path,
                        "",
                        "no TypeSystem.xml beside the .xmi",
                        "import the .zip INCEpTION exports, or put its TypeSystem.xml beside the .xmi",
                    )
                ]
            )
        return path.read_text(encoding="utf-8"), types_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as err:
        raise InputError(
            [Problem(path, "", f"cannot read the INCEpTION export: {err}", "export the document as 'UIMA CAS XMI'")]
        ) from err


def _feature(fs: Any, names: tuple[str, ...], default: str) -> str:
    for name in names:
        value = getattr(fs, name, None)
        if isinstance(value, str) and value:
            return value
    return default


def read_xmi(path: Path, text: str, mapping: Mapping) -> Exchange:
    try:
        from cassis import load_cas_from_xmi, load_typesystem  # optional: only `kg import inception` needs it
    except ImportError:
        raise InputError(
            [Problem(path, "", "reading INCEpTION exports needs dkpro-cassis", "pip install 'positions-kg[inception]'")]
        ) from None

    xmi, types = _sources(path)
    try:
        typesystem = load_typesystem(types)
        cas = load_cas_from_xmi(xmi, typesystem=typesystem)
    except Exception as err:  # cassis raises plain exceptions of several kinds for a broken file
        raise InputError(
            [Problem(path, "", f"not a readable UIMA CAS XMI: {err}", "export the document as 'UIMA CAS XMI'")]
        ) from err
    if normalise(cas.sofa_string or "") != text:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    "the document text in the export differs from the article",
                    "import with the article the document was made from (--article FILE)",
                )
            ]
        )
    exchange = Exchange(text)
    custom = [t for t in typesystem.get_types() if t.name.startswith(CUSTOM)]
    for layer in custom:
        features = {f.name for f in layer.all_features}
        short = layer.name[len(CUSTOM) :]
        for fs in cas.select(layer.name):
            where = f"{short} annotation {fs.xmiID} at {fs.begin}-{fs.end}"
            if {"Governor", "Dependent"} <= features:
                governor, dependent = fs.Governor, fs.Dependent
                if governor is None or dependent is None:
                    exchange.relations.append(
                        Relation(
                            str(getattr(governor, "xmiID", "?")),
                            str(getattr(dependent, "xmiID", "?")),
                            _feature(fs, ("label",), short),
                            where,
                        )
                    )
                    continue
                exchange.relations.append(
                    Relation(str(governor.xmiID), str(dependent.xmiID), _feature(fs, ("label",), short), where)
                )
            else:
                label = _feature(fs, ("label", "value"), short)
                region = Region(
                    str(fs.xmiID), fs.begin, fs.end, fs.get_covered_text(), label, _feature(fs, ("ref",), ""), where
                )
                exchange.regions.append(region)
    if not exchange.regions:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    "the export is empty (no annotation on a webanno.custom layer)",
                    "annotate the document in INCEpTION, then export it",
                )
            ]
        )
    return exchange
