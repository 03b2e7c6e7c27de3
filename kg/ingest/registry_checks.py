"""Checks of the registry's meaning that its JSON Schema cannot state, each an error with file and line.

* **Membership**: no actor is a member of itself, directly or through others (``member_of`` and its
  inverse ``members`` together form the membership relation, which must be free of cycles).
* **Parts**: an organ of an actor (``part_of``, org:subOrganizationOf: a government of its state)
  is an organisation, part of an organisation, a state or a body, never of itself or round a circle.
* **Offices**: a post is held by persons (``held_by``) and belongs to an organisation, a state or a
  body (``post_in``), not to a person or a group of people.
* **Wikidata**: one Wikidata id names one registry entry; a second entry with the same id is the
  same thing registered twice (or a mistyped id).

They run after the references resolve (every slug named is known), so they only see known actors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from kg.errors import Problem
from kg.ingest.yamlfile import JsonPath, YamlDocument

#: Actor types that can hold an office, and those an office cannot belong to.
OFFICE_HOLDERS = frozenset({"Person"})
NOT_AN_OFFICE_OWNER = frozenset({"Person", "ActorGroup"})


def registry_problems(doc: YamlDocument, sections: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    """Every membership cycle, misplaced office and duplicate Wikidata id of the registry in ``doc``."""
    actors = {actor["id"]: (index, actor) for index, actor in enumerate(sections.get("actors") or [])}
    return [
        *_membership(doc, actors),
        *_parts(doc, actors),
        *_offices(doc, sections.get("posts") or [], actors),
        *_wikidata(doc, sections),
    ]


def _membership(doc: YamlDocument, actors: dict[str, tuple[int, dict[str, Any]]]) -> Iterator[Problem]:
    # member -> {organisation: the path that states it}
    member_of: dict[str, dict[str, JsonPath]] = defaultdict(dict)
    for slug, (index, actor) in actors.items():
        for k, other in enumerate(actor.get("member_of") or []):
            member_of[slug].setdefault(other, ("actors", index, "member_of", k))
        for k, other in enumerate(actor.get("members") or []):
            member_of[other].setdefault(slug, ("actors", index, "members", k))
    for slug, organisations in sorted(member_of.items()):
        if slug in organisations:
            yield doc.problem(
                organisations[slug],
                f"{slug!r} is listed as a member of itself",
                "remove it from its own member_of/members",
            )
    reported: set[frozenset[str]] = set()
    for cycle in _cycles(member_of):
        if frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        chain = " -> ".join([*cycle, cycle[0]])
        yield doc.problem(
            member_of[cycle[-1]][cycle[0]],
            f"membership goes round in a circle: {chain} (each a member of the next)",
            "an actor cannot be a member of its own members: remove one of these member_of/members links",
        )


def _parts(doc: YamlDocument, actors: dict[str, tuple[int, dict[str, Any]]]) -> Iterator[Problem]:
    """``part_of`` links organs to what they are part of: never a person's or a group's, never
    itself, never round a circle (the queries follow the links to find an actor's offices)."""
    part_of: dict[str, dict[str, JsonPath]] = defaultdict(dict)
    for slug, (index, actor) in actors.items():
        whole = actor.get("part_of")
        if whole is None:
            continue
        path: JsonPath = ("actors", index, "part_of")
        kinds = (actor.get("type"), actors[whole][1].get("type") if whole in actors else None)
        if whole == slug:
            yield doc.problem(path, f"{slug!r} is listed as a part of itself", "remove its part_of")
        elif kinds[0] in NOT_AN_OFFICE_OWNER or kinds[1] in NOT_AN_OFFICE_OWNER:
            yield doc.problem(
                path,
                f"{slug!r}, a {kinds[0]}, is listed as a part of {whole!r}, a {kinds[1]}",
                "part_of links an organ (a government, a ministry) to the organisation, state or body it belongs to",
            )
        else:
            part_of[slug][whole] = path
    for cycle in _cycles(part_of):
        chain = " -> ".join([*cycle, cycle[0]])
        yield doc.problem(
            part_of[cycle[-1]][cycle[0]],
            f"part_of goes round in a circle: {chain} (each a part of the next)",
            "an actor cannot be a part of its own parts: remove one of these part_of links",
        )


def _cycles(edges: dict[str, dict[str, JsonPath]]) -> Iterator[list[str]]:
    """One cycle (of two or more actors) through each strongly connected part of ``edges``, found by
    an iterative depth-first search (registries can be long chains)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        path: list[str] = [start]
        state[start] = 1
        stack: list[Iterator[str]] = [iter(sorted(edges.get(start, {})))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if following == path[-1]:  # self-membership: reported on its own
                continue
            if state.get(following) == 1:
                yield path[path.index(following) :]
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(edges.get(following, {}))))


def _offices(
    doc: YamlDocument, posts: list[dict[str, Any]], actors: dict[str, tuple[int, dict[str, Any]]]
) -> Iterator[Problem]:
    def type_of(slug: str | None) -> str | None:
        return actors[slug][1].get("type") if slug in actors else None

    for index, post in enumerate(posts):
        owner = post.get("post_in")
        if type_of(owner) in NOT_AN_OFFICE_OWNER:
            yield doc.problem(
                ("posts", index, "post_in"),
                f"the post {post['id']!r} belongs to {owner!r}, a {type_of(owner)}",
                "an office belongs to an organisation, a state or a body: name that in post_in",
            )
        for k, holder in enumerate(post.get("held_by") or []):
            kind = type_of(holder)
            if kind is not None and kind not in OFFICE_HOLDERS:
                yield doc.problem(
                    ("posts", index, "held_by", k),
                    f"the post {post['id']!r} is held by {holder!r}, a {kind}, not a person",
                    "held_by names the persons in office; an organisation's role goes in member_of/members",
                )


def _wikidata(doc: YamlDocument, sections: dict[str, list[dict[str, Any]]]) -> Iterator[Problem]:
    first: dict[str, tuple[JsonPath, str]] = {}
    for name, entries in sections.items():
        for index, entry in enumerate(entries or []):
            qid = entry.get("wikidata")
            if not qid:
                continue
            path: JsonPath = (name, index, "wikidata")
            if qid in first:
                other_path, other = first[qid]
                yield doc.problem(
                    path,
                    f"Wikidata id {qid} is also that of {other!r} (line {doc.line(other_path)})",
                    "one Wikidata item is one registry entry: merge the two, or correct the id",
                )
            else:
                first[qid] = (path, entry["id"])
