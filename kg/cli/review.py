"""``kg export-review`` and ``kg import``: review drafts and annotations in Label Studio or brat,
and bring work from Label Studio, brat and INCEpTION back as YAML (kg/author/review.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.common import EPILOG, EXIT_OK, say


def cmd_export_review(args: argparse.Namespace) -> int:
    from kg.author.regions import load_mapping
    from kg.author.review import export_review

    written = export_review(args.annotation, args.format, args.output, load_mapping(args.mapping), overwrite=args.force)
    for path in written:
        say(f"wrote {path}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from kg.author.regions import load_mapping
    from kg.author.review import import_review, write_imported
    from kg.ingest.annotations import find_registry, load_registry

    registry = load_registry(args.registry or find_registry(args.article))
    data = import_review(
        args.format,
        args.export,
        args.article,
        load_mapping(args.mapping),
        registry,
        skeleton=args.skeleton,
        utf16=args.offsets == "utf16",
    )
    write_imported(data, args.export, args.output, overwrite=args.force)
    evidence = sum(len(s["evidence"]) for s in data["statements"])
    say(
        f"wrote {args.output}: {len(data['statements'])} statements, {evidence} evidence spans; next: kg ingest {args.output}"
    )
    return EXIT_OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="tool labels -> annotation format (default: kg/author/tools/mapping.yaml)",
    )
    parser.add_argument("--force", action="store_true", help="replace existing output files")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export-review",
        help="write a draft or annotation as Label Studio tasks (predictions) or brat standoff, for review",
        epilog=EPILOG,
    )
    export.add_argument("annotation", type=Path, metavar="FILE.yaml", help="a draft (kg draft) or an annotation")
    export.add_argument("--format", choices=("labelstudio", "brat"), required=True)
    export.add_argument(
        "-o", "--output", type=Path, required=True, metavar="OUT", help="Label Studio: a .json file; brat: a folder"
    )
    _common(export)
    export.set_defaults(handler=cmd_export_review)

    imp = sub.add_parser(
        "import",
        help="read a Label Studio JSON export, a brat .ann file or an INCEpTION XMI into the annotation format",
        epilog=EPILOG,
    )
    imp.add_argument("format", choices=("labelstudio", "brat", "inception"))
    imp.add_argument("export", type=Path, metavar="EXPORT", help="the tool's export file")
    imp.add_argument("--article", type=Path, required=True, metavar="ARTICLE.txt", help="the article text it annotates")
    imp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.yaml", help="the annotation to write")
    imp.add_argument(
        "--registry", type=Path, metavar="FILE", help="actor registry (default: the nearest registry.yaml)"
    )
    imp.add_argument(
        "--skeleton",
        type=Path,
        metavar="FILE",
        help="the annotation skeleton (default: in the Label Studio task; beside a brat file as NAME.kg.yaml)",
    )
    imp.add_argument(
        "--offsets",
        choices=("characters", "utf16"),
        default="characters",
        help="how the export counts offsets (INCEpTION converts itself; utf16 for JavaScript tools that count code units)",
    )
    _common(imp)
    imp.set_defaults(handler=cmd_import)
