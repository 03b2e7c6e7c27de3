"""What a load did: graphs loaded, failed (and why), never sent, and the server's counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from kg.terms import curie


@dataclass
class LoadReport:
    """What happened: graphs loaded, failed (with why), never attempted, and count differences."""

    loaded: list[URIRef] = field(default_factory=list)
    failed: dict[URIRef, str] = field(default_factory=dict)
    not_attempted: list[URIRef] = field(default_factory=list)
    aborted: str | None = None
    counts: dict[URIRef, tuple[int, int]] = field(default_factory=dict)  # graph -> (local, server)
    verify_error: str | None = None
    retries: int = 0
    requests: int = 0  # requests that carried data (dataset mode)

    @property
    def mismatches(self) -> dict[URIRef, tuple[int, int]]:
        return {g: c for g, c in self.counts.items() if c[0] != c[1]}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.aborted or self.mismatches or self.verify_error)

    def render(self) -> str:
        lines: list[str] = []
        if self.aborted:
            lines.append(f"load stopped: {self.aborted}")
        lines += [f"FAILED   {curie(g)}: {why}" for g, why in self.failed.items()]
        lines += [f"NOT SENT {curie(g)}" for g in self.not_attempted]
        lines += [
            f"MISMATCH {curie(g)}: {local} triples here, {remote} on the server"
            for g, (local, remote) in self.mismatches.items()
        ]
        if self.verify_error:
            lines.append(f"could not verify the load: {self.verify_error}")
        not_loaded = len(self.failed) + len(self.not_attempted)
        verified = (
            ""
            if not self.counts
            else (f", {len(self.counts) - len(self.mismatches)} of {len(self.counts)} verified by triple counts")
        )
        lines.append(
            f"{len(self.loaded)} graph(s) loaded, {not_loaded} not loaded{verified}"
            + (f" ({self.retries} retried request(s))" if self.retries else "")
        )
        return "\n".join(lines) + "\n"

    def stop(self, why: str, remaining: Iterable[URIRef]) -> None:
        """The load cannot go on: say why, and list what was neither loaded nor failed as not sent."""
        self.aborted = why
        done = set(self.loaded) | set(self.failed)
        self.not_attempted = [g for g in remaining if g not in done]
