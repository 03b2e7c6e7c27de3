"""Writing the authoring commands' outputs: whole or not at all, never over a reviewed file by accident."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import InputError, Problem


def write_text_atomically(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename it."""
    if path.exists() and not overwrite:
        raise InputError(
            [
                Problem(
                    path, "", "the output file exists already", "choose another -o FILE, or pass --force to replace it"
                )
            ]
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError([Problem(path, "", "the output folder does not exist", "create it first")])
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
        "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
