"""Generate a synthetic, realistic annotated corpus in the real annotation format.

    python bench/generate.py --articles 1000 --seed 1 --out /tmp/corpus

writes ``OUT/registry.yaml`` (about 500 actors of the seven types, with posts, places, things and
events) and ``OUT/articles/NNNN/NNNNNN_<source_id>.yaml`` with its ``.txt`` beside it, so that
``kg ingest OUT`` takes it. The output depends only on ``--seed`` and ``--articles`` (article ``i``
of a larger corpus is the same article as in a smaller one, so sizes nest).

Every article has 3-6 statements with 1-2 positions each, conditions on about 40% of positions,
dates spread over 2026, and evidence quotes that occur in the generated text (``occurrence`` is
written whenever a quote occurs more than once). Notations are drawn from the shipped SKOS
vocabularies (family and branch concepts excluded).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for kg
from kg.ingest.anchoring import occurrences

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeDumper as _Dumper

ARTICLES_PER_FOLDER = 250
YEAR = 2026
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Notations, checked against the shipped vocabularies by ``check_vocabulary`` (and the smoke test).
STANCES = {
    "commits-to": "commissive",
    "ready-to": "commissive",
    "refuses-participation": "commissive",
    "authorises": "deontic",
    "prohibits": "deontic",
    "supports": "evaluative",
    "praises": "evaluative",
    "opposes": "evaluative",
    "criticises": "evaluative",
    "regrets": "evaluative",
    "affirms": "assertive",
    "denies": "assertive",
    "calls-for": "directive",
}
HEADLINE_VERBS = {
    "commits-to": "commits to",
    "ready-to": "ready for",
    "refuses-participation": "rules out",
    "authorises": "authorises",
    "prohibits": "bars",
    "supports": "backs",
    "praises": "praises",
    "opposes": "opposes",
    "criticises": "criticises",
    "regrets": "regrets",
    "affirms": "confirms",
    "denies": "denies",
    "calls-for": "calls for",
}
ACTION_TYPES = [
    "military-operation",
    "offensive-operation",
    "offensive-strike",
    "strike",
    "defensive-operation",
    "defensive-strike",
    "basing-access",
    "enable-military-action",
    "defence-of-third-parties",
    "protect-interests",
    "self-defence-of-own-forces",
    "multilateral-deliberation",
]
#: Generator kinds whose action type is plain "strike".
STRIKE_TYPE = {"offensive-strike": "strike", "defensive-strike": "strike"}
VENUE_TYPES = [
    "interview",
    "press-conference",
    "speech",
    "social-media-post",
    "official-statement",
    "joint-statement",
    "unspecified",
]
LANGUAGES = ["de", "fr", "ar", "ru", "es", "tr", "fa", "zh", "pt", "it"]

# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------

SYLLABLES = [
    "val",
    "dor",
    "os",
    "tren",
    "kar",
    "mel",
    "sun",
    "dra",
    "vik",
    "lum",
    "bar",
    "zen",
    "tal",
    "ros",
    "nor",
    "quel",
    "cas",
    "mir",
    "ath",
    "bel",
    "cor",
    "dan",
    "el",
    "fen",
    "gal",
    "hal",
    "ir",
    "jor",
    "kel",
    "lor",
    "mar",
    "nev",
    "or",
    "pel",
    "ran",
    "sel",
    "tor",
    "ul",
    "ver",
    "wes",
    "yar",
    "zar",
]
COUNTRY_ENDINGS = ["ia", "a", "land", "istan", "ora", "an", "ar", "ovia", "enia", "ad"]
CITY_ENDINGS = ["grad", "ton", "burg", "polis", "abad", "ville", "mouth", "holm", "stad", "o"]
FIRST_NAMES = [
    "Anna",
    "Mark",
    "Johann",
    "Amira",
    "Li",
    "Sofia",
    "Omar",
    "Elena",
    "Pierre",
    "Yusuf",
    "Maria",
    "Kenji",
    "Fatima",
    "Lars",
    "Ines",
    "Dmitri",
    "Aisha",
    "Carlos",
    "Hana",
    "Jonas",
    "Leila",
    "Pavel",
    "Nadia",
    "Tomas",
    "Zainab",
    "Erik",
    "Mei",
    "Hassan",
    "Clara",
    "Viktor",
    "Rania",
    "Luca",
    "Ingrid",
    "Samir",
    "Paula",
    "Andrei",
    "Noor",
    "Felix",
    "Yara",
    "Mateo",
    "Olga",
    "Karim",
    "Julia",
    "Tariq",
    "Helena",
    "Ravi",
    "Marta",
    "Ahmed",
    "Lena",
    "Diego",
    "Selin",
    "Bruno",
    "Asha",
    "Stefan",
    "Laila",
]
SURNAMES = [
    "Petrov",
    "Rahimi",
    "Lindqvist",
    "Moreau",
    "Okafor",
    "Haddad",
    "Novak",
    "Tanaka",
    "Schmidt",
    "Costa",
    "Nasser",
    "Kowalski",
    "Duarte",
    "Yilmaz",
    "Berg",
    "Farouk",
    "Ivanova",
    "Romano",
    "Sato",
    "Keller",
    "Mansour",
    "Horvat",
    "Silva",
    "Aziz",
    "Jansen",
    "Karimi",
    "Dubois",
    "Ortega",
    "Volkov",
    "Hamdan",
    "Larsen",
    "Mendes",
    "Suleiman",
    "Weber",
    "Popescu",
    "Khalil",
    "Ferreira",
    "Nowak",
    "Castillo",
    "Abbasi",
    "Brandt",
    "Salem",
    "Kovac",
    "Marin",
    "Rashid",
    "Vogel",
    "Santos",
    "Bakr",
    "Fischer",
    "Hosseini",
    "Lund",
    "Quintero",
    "Sharif",
    "Toth",
    "Vidal",
    "Zaman",
]
IO_NAMES = [
    ("Northern Treaty Organisation", "NTO"),
    ("Council of Coastal States", "CCS"),
    ("Union of Southern Nations", "USN"),
    ("Assembly of Nations", "AN"),
    ("Eastern Security Pact", "ESP"),
    ("Continental Economic Community", "CEC"),
    ("League of River States", "LRS"),
    ("Gulf Cooperation Forum", "GCF"),
    ("Organisation for Regional Security", "ORS"),
    ("Highland Defence Alliance", "HDA"),
    ("Maritime Security Council", "MSC"),
    ("Commonwealth of the Steppe", "CotS"),
    ("Inland Sea Conference", "ISC"),
    ("Western Mutual Defence Organisation", "WMDO"),
    ("Island Nations Forum", "INF"),
    ("Desert States League", "DSL"),
    ("Northern Arctic Council", "NAC"),
    ("Central Alliance", "CA"),
    ("Southern Ocean Pact", "SOP"),
    ("International Mediation Council", "IMC"),
]
MEDIA_PATTERNS = [
    "{city} Herald",
    "{country} Broadcasting",
    "{city} Times",
    "{country} News Agency",
    "Radio {country}",
    "{city} Daily",
    "The {country} Observer",
    "{country} Television",
]
GROUPS = [
    ("coastal-states", "Coastal states", "The states along the contested coast, as news text refers to them."),
    ("western-officials", "Western officials (unnamed)", "Unnamed officials of Western governments."),
    ("arab-mediators", "Mediating states", "States that act as mediators, referred to collectively."),
    ("island-states", "Island states", "Small island states referred to collectively."),
    ("frontline-states", "Frontline states", "States bordering the conflict zone."),
    ("donor-countries", "Donor countries", "States funding humanitarian relief, referred to collectively."),
    ("neighbouring-states", "Neighbouring states", "States neighbouring the conflict zone."),
    ("diplomats-unnamed", "Diplomats (unnamed)", "Unnamed diplomats cited collectively."),
    ("security-officials", "Security officials (unnamed)", "Unnamed security officials cited collectively."),
]
FILLERS = [
    "The fighting has drawn reactions from governments across the region.",
    "Diplomats said talks were continuing behind closed doors.",
    "Analysts said the statements reflected growing divisions among allies.",
    "Markets reacted nervously to the latest escalation.",
    "Humanitarian organisations warned of the consequences for civilians.",
    "The situation remains tense, with reports of further clashes overnight.",
    "Several governments have called emergency meetings of their security cabinets.",
    "The remarks come amid intense diplomatic activity.",
    "Officials declined to give further details.",
    "It was not immediately clear how other governments would respond.",
]
ADVERBIALS = [
    "",
    "",
    "",
    " in the coming weeks",
    " under any circumstances",
    " at this stage",
    " for now",
    " in any form",
    " without delay",
    " if asked",
    " this year",
    " in the near future",
]


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isalnum() and ch.isascii():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------


@dataclass
class Country:
    slug: str
    name: str
    government: str
    forces: str
    capital: str
    bases: str
    sites: str
    persons: dict[str, tuple[str, str]] = field(default_factory=dict)  # post slug -> (person slug, post label)


@dataclass
class World:
    registry: dict[str, list[dict[str, Any]]]
    labels: dict[str, str]
    countries: list[Country]
    ios: list[tuple[str, str, str, str]]  # slug, label, head person slug, head post slug
    media: list[str]
    groups: list[str]
    places: list[str]
    events: list[dict[str, Any]]
    posts: dict[str, dict[str, Any]]


def _unique_name(rng: random.Random, used: set[str], endings: list[str]) -> str:
    while True:
        name = ("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))) + rng.choice(endings)).capitalize()
        name = (
            name.replace(" sea", " Sea")
            .replace(" strait", " Strait")
            .replace(" valley", " Valley")
            .replace(" gulf", " Gulf")
        )
        if name not in used and len(name) >= 4:
            used.add(name)
            return name


SEED_REGISTRY = Path(__file__).resolve().parent.parent / "articles" / "registry.yaml"
#: Parts of the seed registry's states that exist there already (the rest is generated).
SEED_STATES = {
    "uk": {"government": "uk-government", "bases": "british-bases"},
    "germany": {
        "government": "de-federal-government",
        "forces": "bundeswehr",
        "posts": {"foreign-minister": "de-foreign-minister"},
    },
    "france": {},
    "iran": {"sites": "iranian-missile-sites"},
    "usa": {"forces": "us-forces"},
    "israel": {},
    "jordan": {},
}
POST_KINDS = (
    ("head-of-government", "Head of Government of {name}", "state"),
    ("foreign-minister", "Foreign Minister of {name}", "government"),
    ("defence-minister", "Defence Minister of {name}", "government"),
)


def build_world(seed: int, countries: int = 70) -> World:
    """A registry of about 500 actors; the same for a given seed.

    It extends the repository's seed registry (articles/registry.yaml), so the shipped queries'
    default parameters (iran, nato, us-israel-war-on-iran-2026) find answers in the corpus.
    """
    rng = random.Random(f"registry-{seed}")
    seed_registry = yaml.safe_load(SEED_REGISTRY.read_text(encoding="utf-8"))
    used: set[str] = set()
    persons_used: set[str] = set()
    actors: list[dict[str, Any]] = list(seed_registry.get("actors") or [])
    posts: list[dict[str, Any]] = list(seed_registry.get("posts") or [])
    places: list[dict[str, Any]] = list(seed_registry.get("places") or [])
    things: list[dict[str, Any]] = list(seed_registry.get("things") or [])
    events: list[dict[str, Any]] = list(seed_registry.get("events") or [])
    labels: dict[str, str] = {}
    for section in (actors, posts, places, things, events):
        for entry in section:
            labels[entry["id"]] = entry["label"]
            used.add(entry["label"])
    for entry in actors:
        if entry["type"] == "Person":
            persons_used.add(entry["label"])

    def person(description: str) -> str:
        while True:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            if name not in persons_used and slugify(name) not in labels:
                persons_used.add(name)
                break
        slug = slugify(name)
        actors.append({"id": slug, "type": "Person", "label": name, "description": description})
        labels[slug] = name
        return slug

    ios: list[tuple[str, str, str, str]] = []
    heads = {post["post_in"]: (post["held_by"][0], post["id"]) for post in posts if post.get("held_by")}
    for entry in [a for a in actors if a["type"] == "InternationalOrganization"]:
        slug, label = entry["id"], entry["label"]
        if slug in heads:
            head, post = heads[slug]
        else:
            head, post = person(f"Secretary General of the {label}."), f"{slug}-secretary-general"
            posts.append({"id": post, "label": f"Secretary General of the {label}", "post_in": slug, "held_by": [head]})
            labels[post] = f"Secretary General of the {label}"
        ios.append((slug, label, head, post))
    for label, abbr in IO_NAMES:
        slug = slugify(abbr) if len(abbr) > 2 else slugify(label)
        actors.append(
            {
                "id": slug,
                "type": "InternationalOrganization",
                "label": label,
                "alt_labels": [abbr],
                "description": f"Intergovernmental organisation ({abbr}).",
                "wikidata": f"Q{800000 + len(ios)}",
            }
        )
        labels[slug] = label
        head = person(f"Secretary General of the {label}.")
        post = f"{slug}-secretary-general"
        posts.append({"id": post, "label": f"Secretary General of the {label}", "post_in": slug, "held_by": [head]})
        labels[post] = f"Secretary General of the {label}"
        ios.append((slug, label, head, post))

    def add_state_parts(slug: str, name: str, known: dict[str, Any]) -> Country:
        capital_slug = known.get("capital")
        if capital_slug is None:
            capital = _unique_name(rng, used, CITY_ENDINGS)
            capital_slug = slugify(capital)
            places.append({"id": capital_slug, "label": capital})
            labels[capital_slug] = capital
        country = Country(
            slug,
            name,
            known.get("government", f"{slug}-government"),
            known.get("forces", f"{slug}-armed-forces"),
            capital_slug,
            known.get("bases", f"{slug}-air-bases"),
            known.get("sites", f"{slug}-missile-sites"),
        )
        if "government" not in known:
            actors.append(
                {
                    "id": country.government,
                    "type": "GovernmentBody",
                    "label": f"Government of {name}",
                    "description": f"The government (cabinet) of {name}.",
                }
            )
            labels[country.government] = f"Government of {name}"
        if "forces" not in known:
            actors.append(
                {
                    "id": country.forces,
                    "type": "ArmedForces",
                    "label": f"Armed forces of {name}",
                    "alt_labels": [f"{name} forces"],
                }
            )
            labels[country.forces] = f"Armed forces of {name}"
        if "bases" not in known:
            things.append({"id": country.bases, "label": f"Military air bases of {name}"})
            labels[country.bases] = f"Military air bases of {name}"
        if "sites" not in known:
            things.append({"id": country.sites, "label": f"Missile sites of {name}"})
            labels[country.sites] = f"Missile sites of {name}"
        known_posts = known.get("posts", {})
        for key, template, body in POST_KINDS:
            post_label = template.format(name=name)
            if key in known_posts:
                post = next(p for p in posts if p["id"] == known_posts[key])
                country.persons[post["id"]] = (post["held_by"][0], post["label"])
                continue
            holder = person(f"{post_label}.")
            post = f"{slug}-{key}"
            posts.append(
                {
                    "id": post,
                    "label": post_label,
                    "post_in": slug if body == "state" else country.government,
                    "held_by": [holder],
                }
            )
            labels[post] = post_label
            country.persons[post] = (holder, post_label)
        return country

    world_countries: list[Country] = []
    for slug, known in SEED_STATES.items():
        world_countries.append(add_state_parts(slug, labels[slug], known))
    for index in range(countries - len(world_countries)):
        name = _unique_name(rng, used, COUNTRY_ENDINGS)
        slug = slugify(name)
        members = rng.sample(ios, rng.randint(1, 3))
        if rng.random() < 0.3 and not any(io[0] == "nato" for io in members):
            members.append(next(io for io in ios if io[0] == "nato"))
        actors.append(
            {
                "id": slug,
                "type": "State",
                "label": name,
                "alt_labels": [f"Republic of {name}"],
                # fictitious but well-formed QIDs: states should have one (a warning otherwise)
                "wikidata": f"Q{900000 + index}",
                "member_of": [io[0] for io in members],
            }
        )
        labels[slug] = name
        world_countries.append(add_state_parts(slug, name, {}))
    for country in world_countries:
        labels[country.government] = (
            "the g" + labels[country.government][1:]
            if labels[country.government].startswith("Government of")
            else labels[country.government]
        )
        labels[country.forces] = (
            ("the " + labels[country.forces][:1].lower() + labels[country.forces][1:])
            if labels[country.forces].startswith("Armed forces")
            else labels[country.forces]
        )
        for key in (country.bases, country.sites):
            if labels[key].startswith(("Military", "Missile")):
                labels[key] = "the " + labels[key][:1].lower() + labels[key][1:]

    media: list[str] = [a["id"] for a in actors if a["type"] == "MediaOrganization"]
    for _ in range(30):
        country = world_countries[index % len(world_countries)]
        label = rng.choice(MEDIA_PATTERNS).format(city=labels[country.capital], country=country.name)
        slug = slugify(label)
        if slug in labels:
            continue
        actors.append(
            {
                "id": slug,
                "type": "MediaOrganization",
                "label": label,
                "description": f"News organisation based in {labels[country.capital]}.",
            }
        )
        labels[slug] = label
        media.append(slug)

    groups: list[str] = [a["id"] for a in actors if a["type"] == "ActorGroup" and a["id"] != "french-officials"]
    for slug, label, description in GROUPS:
        entry = {"id": slug, "type": "ActorGroup", "label": label, "description": description}
        if slug in ("coastal-states", "frontline-states", "island-states"):
            entry["members"] = [c.slug for c in rng.sample(world_countries, 4)]
        actors.append(entry)
        labels[slug] = label
        groups.append(slug)
    actors.append(
        {
            "id": "coastal-states-forum",
            "type": "ActorGroup",
            "label": "Coastal states forum",
            "close_match": ["coastal-states"],
        }
    )
    labels["coastal-states-forum"] = "the coastal states forum"

    extra_places = []
    for _ in range(30):
        label = f"the {_unique_name(rng, used, ['', ' Sea', ' Strait', ' Valley', ' Gulf'])}".replace("  ", " ")
        slug = slugify(label)
        places.append({"id": slug, "label": label[4:] if label.startswith("the ") else label})
        labels[slug] = label
        extra_places.append(slug)
    for _ in range(20):
        agent, target = rng.sample(world_countries, 2)
        label = f"{YEAR} {agent.name}–{target.name} war"
        slug = slugify(f"{agent.slug}-{target.slug}-war-{YEAR}")
        event = {"id": slug, "label": label, "agents": [agent.slug], "targets": [target.slug]}
        events.append(event)
        labels[slug] = label

    registry = {"actors": actors, "posts": posts, "places": places, "things": things, "events": events}
    return World(
        registry,
        labels,
        world_countries,
        ios,
        media,
        groups,
        [p["id"] for p in places],
        events,
        {p["id"]: p for p in posts},
    )


# --------------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------------


class TextBuilder:
    """Builds the article text sentence by sentence and remembers where each quote was put."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.length = 0  # length of the text finished so far (closed lines plus their newlines)
        self.current_len = 0

    def sentence(self, *pieces: str | tuple[str]) -> list[int]:
        """Append a sentence made of plain strings and ``(quote,)`` markers; return the quotes' starts."""
        starts: list[int] = []
        offset = self.length + self.current_len + (1 if self.current else 0)
        text = ""
        for piece in pieces:
            if isinstance(piece, tuple):
                starts.append(offset + len(text))
                text += piece[0]
            else:
                text += piece
        self.current_len += len(text) + (1 if self.current else 0)
        self.current.append(text)
        return starts

    def paragraph(self) -> None:
        if self.current:
            line = " ".join(self.current)
            self.lines.append(line)
            self.length += len(line) + 1
            self.current, self.current_len = [], 0

    def line(self, text: str) -> None:
        self.paragraph()
        self.lines.append(text)
        self.length += len(text) + 1

    def text(self) -> str:
        self.paragraph()
        return "\n".join(self.lines) + "\n"


@dataclass
class Span:
    quote: str
    start: int
    kind: str
    edited: bool = False

    def item(self, text: str) -> dict[str, Any]:
        found = occurrences(text, self.quote)
        if self.start not in found:  # a bug in the generator, not in the data
            raise AssertionError(f"quote {self.quote!r} not at {self.start}")
        item: dict[str, Any] = {"quote": self.quote, "kind": self.kind}
        if len(found) > 1:
            item["occurrence"] = found.index(self.start) + 1
        if self.edited:
            item["edited"] = True
        return item


def _names(world: World, slugs: list[str]) -> str:
    names = [world.labels[s] for s in slugs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class ArticleGenerator:
    def __init__(self, world: World, seed: int, index: int) -> None:
        self.world = world
        self.rng = random.Random(f"article-{seed}-{index}")
        self.index = index
        self.tb = TextBuilder()
        self.ids: set[str] = set()
        self.venues: list[dict[str, Any]] = []
        self.statements: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.positions: list[dict[str, Any]] = []
        self.spans: dict[int, list[tuple[dict[str, Any], Span]]] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def new_id(self, base: str) -> str:
        slug, n = base, 2
        while slug in self.ids:
            slug, n = f"{base}-{n}", n + 1
        self.ids.add(slug)
        return slug

    def evidence(self, owner: dict[str, Any], span: Span) -> None:
        owner.setdefault("_spans", []).append(span)

    def when(self, statement: dict[str, Any]) -> str:
        basis = statement["date_basis"]
        if basis == "not-later-than-publication":
            return ""
        stated = date.fromisoformat(statement["stated_on"])
        if basis == "relative-weekday":
            return f" on {WEEKDAYS[stated.weekday()]}"
        return f" on {stated.day} {MONTHS[stated.month - 1]}"

    # -- the article -----------------------------------------------------------------------------

    def generate(self) -> tuple[str, dict[str, Any], str]:
        rng, world = self.rng, self.world
        source_id = f"{rng.getrandbits(64):016x}"
        day = rng.randrange(365)
        published = datetime(YEAR, 1, 1, rng.randrange(6, 23), rng.randrange(60)) + timedelta(days=day)
        self.published = published
        publisher = rng.choice(world.media)
        roll = rng.random()  # the seed registry's event (the shipped queries' default) in 30% of articles
        event = world.events[0] if roll < 0.3 else rng.choice(world.events[1:]) if roll < 0.8 else None
        self.event = event
        focus = [c for c in world.countries if event and c.slug in event.get("agents", []) + event.get("targets", [])]
        others = rng.sample(world.countries, 6)
        self.cast = (focus + [c for c in others if c not in focus])[:6]
        self.target_country = focus[-1] if focus else others[-1]

        n_statements = rng.randint(3, 6)
        headline_holder = None
        for _s in range(n_statements):
            statement = self.statement()
            for _p in range(rng.randint(1, 2)):
                position = self.position(statement)
                headline_holder = headline_holder or position
            if rng.random() < 0.3:
                self.tb.sentence(rng.choice(FILLERS))
            self.tb.paragraph()
        self.tensions()
        if rng.random() < 0.1:
            self.repeat_quote()
        self.tb.sentence(rng.choice(FILLERS))

        body = self.tb.text()
        action = next(a for a in self.actions if a["id"] == headline_holder["action"])
        verb = HEADLINE_VERBS[headline_holder["stance"]]
        headline = f"{_cap(_names(world, headline_holder['holders']))} {verb} {action['_ger']}"
        header = f"{headline}\nBy {world.labels[publisher]}\n{published.day} {MONTHS[published.month - 1][:3]} {YEAR} {published:%H:%M}\n"
        shift = len(header)
        text = header + body

        article: dict[str, Any] = {
            "source_id": source_id,
            "headline": headline,
            "publisher": publisher,
            "published": published.isoformat(timespec="seconds"),
            "language": "en",
        }
        if rng.random() < 0.5:
            article["url"] = f"https://news.example.org/{published:%Y/%m}/{source_id}"
        article["annotator"] = "bench/generate.py"
        if event:
            article["context"] = event["id"]
        for owner in self.statements + [c for p in self.positions for c in p.get("conditions", [])]:
            spans = owner.pop("_spans", [])
            if spans:
                owner["evidence"] = [Span(s.quote, s.start + shift, s.kind, s.edited).item(text) for s in spans]
        data: dict[str, Any] = {"article": article}
        if self.venues:
            data["venues"] = self.venues
        data["statements"] = self.statements
        data["actions"] = self.actions
        data["positions"] = self.positions
        return source_id, data, text

    # -- statements ------------------------------------------------------------------------------

    def statement(self) -> dict[str, Any]:
        rng, world = self.rng, self.world
        country = rng.choice(self.cast)
        roll = rng.random()
        st: dict[str, Any] = {"id": ""}
        if roll < 0.40:
            post = rng.choice(list(country.persons))
            person, post_label = country.persons[post]
            st.update(
                speakers=[person],
                capacity=post,
                on_behalf_of=[country.slug if post.endswith("president") else country.government],
            )
            speaker_text = f"{world.labels[person]}, the {post_label},"
            base, self.holder_default = person.split("-")[-1], [country.slug]
        elif roll < 0.48:
            io, label, head, post = rng.choice(world.ios)
            st.update(speakers=[head], capacity=post, on_behalf_of=[io])
            speaker_text = f"{world.labels[head]}, the Secretary General of the {label},"
            base, self.holder_default = head.split("-")[-1], [io]
        elif roll < 0.68:
            st.update(speakers=[country.government], on_behalf_of=[country.slug])
            speaker_text = _cap(world.labels[country.government])
            base, self.holder_default = f"{country.slug}-gov", [country.slug]
        elif roll < 0.82:
            joint = rng.sample(self.cast, rng.randint(2, 3)) if rng.random() < 0.4 else [country]
            st.update(speakers=[c.slug for c in joint])
            speaker_text = _names(world, [c.slug for c in joint])
            base, self.holder_default = "-".join(c.slug for c in joint[:2]), [c.slug for c in joint]
        else:
            st.update(speakers=[], speaker_description=f"Officials of {country.name}", on_behalf_of=[country.slug])
            speaker_text = f"Officials in {world.labels[country.capital]}"
            base, self.holder_default = f"{country.slug}-officials", [country.slug]
        st["id"] = self.new_id(base)
        self.country = country

        basis = rng.choices(["explicit", "relative-weekday", "not-later-than-publication"], [40, 35, 25])[0]
        if basis == "relative-weekday":
            stated = self.published.date() - timedelta(days=rng.randint(0, 6))
        else:
            stated = self.published.date() - timedelta(days=rng.randint(0, 14))
        context = None
        if rng.random() < 0.6:
            venue_type = "joint-statement" if len(st["speakers"]) > 1 else rng.choice(VENUE_TYPES[:5] + ["unspecified"])
            venue: dict[str, Any] = {"id": self.new_id(f"{venue_type}-{len(self.venues) + 1}"), "type": venue_type}
            place = rng.choice(world.places)
            if venue_type == "interview":
                venue["medium"] = rng.choice(world.media)
                venue["place"] = place
                context = f"In an interview with {world.labels[venue['medium']]} in {world.labels[place]}"
            elif venue_type in ("press-conference", "speech"):
                venue["place"] = place
                context = f"{'At a press conference' if venue_type == 'press-conference' else 'In a speech'} in {world.labels[place]}"
            elif venue_type == "social-media-post":
                context = "In a post on social media"
            elif venue_type == "joint-statement":
                context = "In a joint statement"
            if basis != "not-later-than-publication":
                venue["date"] = stated.isoformat()
            if st["speakers"]:
                venue["participants"] = list(st["speakers"])
            self.venues.append(venue)
            st["venue"] = venue["id"]
            st["venue_certainty"] = "explicit" if context else "inferred"
            if venue_type == "interview" and rng.random() < 0.3:
                self.translated = rng.choice(LANGUAGES)
            else:
                self.translated = None
        else:
            self.translated = None
        if basis != "not-later-than-publication":
            st["stated_on"] = stated.isoformat()
        st["date_basis"] = basis
        if self.translated:
            st["original_language"] = self.translated
            st["translated"] = True
        self.statements.append(st)
        self.speaker_text = speaker_text
        self.context = context
        self.first_in_statement = True
        return st

    # -- actions ---------------------------------------------------------------------------------

    def action(self, stance: str, holders: list[str]) -> tuple[dict[str, Any], str, str]:
        """A new action (or, sometimes, an earlier one of this article), its verb phrase and gerund."""
        rng, world = self.rng, self.world
        if self.actions and rng.random() < 0.15:
            action = rng.choice(self.actions)
            return action, action["_vp"], action["_ger"]
        family = STANCES[stance]
        own = family in ("commissive", "assertive")
        holder = holders[0]
        holder_country = next((c for c in world.countries if c.slug == holder), self.country)
        target = self.target_country
        if target.slug == holder:
            target = rng.choice([c for c in self.cast if c.slug != holder])
        other = rng.choice([c for c in self.cast if c.slug not in (holder, target.slug)])
        agent_country = holder_country if own else other
        kind = rng.choice(ACTION_TYPES)
        agents = [agent_country.slug]
        ref: dict[str, list[str]] = {}
        T, A = world.labels[target.slug], world.labels[agent_country.slug]
        place = rng.choice(world.places)
        if kind == "military-operation":
            vp, ger = f"take part in military operations against {T}", f"taking part in military operations against {T}"
            ref["targets"] = [target.slug]
        elif kind == "offensive-operation":
            vp, ger = f"join offensive operations against {T}", f"joining offensive operations against {T}"
            ref["targets"] = [target.slug]
        elif kind == "offensive-strike":
            vp, ger = (
                f"carry out strikes on {world.labels[target.sites]}",
                f"carrying out strikes on {world.labels[target.sites]}",
            )
            ref["targets"] = [target.sites]
        elif kind == "strike":
            vp, ger = f"strike targets in {T}", f"striking targets in {T}"
            ref["targets"] = [target.slug]
        elif kind == "defensive-operation":
            vp, ger = (
                f"conduct defensive operations in {world.labels[place]}",
                f"conducting defensive operations in {world.labels[place]}",
            )
            ref["targets"] = [place]
        elif kind == "defensive-strike":
            vp, ger = (
                f"launch defensive strikes on {world.labels[target.sites]}",
                f"launching defensive strikes on {world.labels[target.sites]}",
            )
            ref["targets"] = [target.sites]
        elif kind == "basing-access":
            host = holder_country
            agents = [other.forces]
            vp = f"use {world.labels[host.bases]} for operations against {T}"
            ger = f"using {world.labels[host.bases]} for operations against {T}"
            ref.update(targets=[target.slug], instruments=[host.bases], beneficiaries=[other.forces])
            A = world.labels[other.forces]
        elif kind == "enable-military-action":
            vp, ger = (
                f"enable military action by {world.labels[other.slug]} against {T}",
                f"enabling military action by {world.labels[other.slug]} against {T}",
            )
            ref.update(targets=[target.slug], beneficiaries=[other.slug])
        elif kind == "defence-of-third-parties":
            bens = [c.slug for c in rng.sample(self.cast, 2) if c.slug != agent_country.slug] or [other.slug]
            if rng.random() < 0.3:
                bens = [rng.choice(world.groups)]
            vp, ger = f"help defend {_names(world, bens)}", f"helping to defend {_names(world, bens)}"
            ref["beneficiaries"] = bens
        elif kind == "protect-interests":
            vp, ger = (
                f"protect the interests of {A} in {world.labels[place]}",
                f"protecting the interests of {A} in {world.labels[place]}",
            )
            ref.update(targets=[place], beneficiaries=[agent_country.slug])
        elif kind == "self-defence-of-own-forces":
            agents = [agent_country.forces]
            vp = f"allow {world.labels[agent_country.forces]} to defend themselves if attacked"
            ger = f"allowing {world.labels[agent_country.forces]} to defend themselves if attacked"
            ref["beneficiaries"] = [agent_country.forces]
            A = world.labels[agent_country.forces]
        else:  # multilateral-deliberation
            io = rng.choice(world.ios)
            vp, ger = (
                f"bring the conflict with {T} before the {io[1]}",
                f"bringing the conflict with {T} before the {io[1]}",
            )
            ref["targets"] = [target.slug]
        if kind in ("strike", "offensive-strike") and rng.random() < 0.3:
            kind2 = ["strike", "offensive-strike"]
        else:
            kind2 = [kind]
        # Offensive and defensive strikes are characterisations, not action types (issue 13): the
        # generated text keeps the words, the annotation types them as strikes.
        kind2 = list(dict.fromkeys(STRIKE_TYPE.get(k, k) for k in kind2))
        label = f"{_cap(A)} {ger}"
        action: dict[str, Any] = {
            "id": self.new_id(slugify(f"{agents[0].split('-')[0]}-{kind}")[:40].strip("-")),
            "label": label,
            "types": kind2,
            "agents": agents,
        }
        for key in ("targets", "beneficiaries", "instruments"):
            if key in ref:
                action[key] = ref[key]
        status = {
            "commissive": "prospective",
            "deontic": "prospective",
            "directive": "prospective",
            "evaluative": rng.choice(["ongoing", "completed"]),
            "assertive": "ongoing",
        }[family]
        if rng.random() < 0.05:
            status = "hypothetical"
        if stance != "denies":
            action["status"] = status
        if self.event:
            action["context"] = self.event["id"]
        action["_vp"], action["_ger"], action["_agent"] = vp, ger, A
        self.actions.append(action)
        return action, vp, ger

    # -- positions -------------------------------------------------------------------------------

    def position(
        self,
        st: dict[str, Any],
        stance: str | None = None,
        action: dict[str, Any] | None = None,
        exception_to: str | None = None,
    ) -> dict[str, Any]:
        rng, world = self.rng, self.world
        stance = stance or rng.choice(list(STANCES))
        holders = list(self.holder_default)
        if STANCES[stance] == "evaluative" and st.get("capacity") and rng.random() < 0.3:
            holders = list(st["speakers"])
        if action is None:
            action, vp, ger = self.action(stance, holders)
        else:
            vp, ger = action["_vp"], action["_ger"]
        A = action["_agent"]
        H = _names(world, holders)
        adv = rng.choice(ADVERBIALS)
        para, direct = {
            "commits-to": (f"{H} would {vp}{adv}", f"we will {vp}{adv}"),
            "ready-to": (f"{H} was ready to {vp}{adv}", f"we are ready to {vp}{adv}"),
            "refuses-participation": (f"{H} had no intention to {vp}{adv}", f"we have no intention to {vp}{adv}"),
            "authorises": (f"{H} had authorised {A} to {vp}", f"we have authorised {A} to {vp}"),
            "prohibits": (f"{H} would not allow {A} to {vp}{adv}", f"we will not allow {A} to {vp}{adv}"),
            "supports": (f"{H} supported the efforts of {A} to {vp}", f"we fully support the efforts of {A} to {vp}"),
            "praises": (
                f"the decision of {A} to {vp} was an important step",
                f"the decision of {A} to {vp} was really important",
            ),
            "opposes": (f"{H} opposed any move by {A} to {vp}", f"we oppose any move by {A} to {vp}"),
            "criticises": (f"it had been a mistake for {A} to {vp}", f"it was a grave mistake for {A} to {vp}"),
            "regrets": (f"it was regrettable that {A} had decided to {vp}", f"we regret that {A} decided to {vp}"),
            "affirms": (f"{A} was {ger}", f"we are {ger}"),
            "denies": (f"{A} was not {ger}", f"we are not {ger}"),
            "calls-for": (f"{A} should {vp}{adv}", f"{A} must {vp}{adv}"),
        }[stance]
        kind = "direct-quote" if rng.random() < 0.45 else "paraphrase"
        if kind == "paraphrase" and st["speakers"] and not st.get("capacity") and rng.random() < 0.25:
            kind = "journalist-summary"
        said = f" said{self.when(st)}" if st["date_basis"] != "not-later-than-publication" else " has said"
        speaker = self.speaker_text if self.first_in_statement else self.pronoun(st)
        use_context = self.first_in_statement and self.context is not None and rng.random() < 0.8
        lead: list[str | tuple[str]] = [(self.context,), ", "] if use_context else []
        subject = (
            speaker[0].lower() + speaker[1:] if use_context and speaker.startswith(("The ", "Officials")) else speaker
        )
        edited = False
        if kind == "direct-quote":
            quote = direct
            if rng.random() < 0.05 and " to " in quote:
                quote, edited = quote.replace(" to ", "… to ", 1), True
            if not use_context and rng.random() < 0.5:
                quote = _cap(quote)
                lowered = subject[0].lower() + subject[1:] if subject.startswith(("The ", "It", "They")) else subject
                pieces = ["“", (quote,), f",” {lowered}{said}."]
            else:
                pieces = [*lead, f"{subject}{said} that “", (quote,), "”."]
        elif kind == "journalist-summary":
            quote = para
            pieces = [*lead, f"{subject} has made clear that ", (quote,), "."]
        else:
            quote = para
            pieces = [*lead, f"{subject}{said} that ", (quote,), "."]
        starts = self.tb.sentence(*pieces)
        span = Span(quote, starts[-1], kind, edited)
        if use_context:
            self.evidence(st, Span(self.context, starts[0], "context"))
        self.evidence(st, span)
        self.first_in_statement = False

        pos: dict[str, Any] = {
            "id": self.new_id(f"{slugify(H)[:24].strip('-')}-{stance}"),
            "holders": holders,
            "stance": stance,
            "action": action["id"],
            "expressed_in": [st["id"]],
        }
        if rng.random() < 0.05 and len(self.statements) > 1:
            earlier = rng.choice(self.statements[:-1])
            if set(earlier.get("on_behalf_of") or earlier.get("speakers") or []) & set(holders):
                pos["expressed_in"].append(earlier["id"])
        r = rng.random()
        if STANCES[stance] == "commissive" and r < 0.15:
            pos["modality"] = rng.choice(["possible", "intended"])
        elif r < 0.03:
            pos["modality"] = "hypothetical"
        elif r < 0.4:
            pos["modality"] = "asserted"
        if rng.random() < 0.03:
            pos["status"] = rng.choice(["retracted", "superseded"])
        if exception_to:
            pos["exception_to"] = exception_to
        self.positions.append(pos)
        pos["_span"] = span
        if rng.random() < 0.4 or exception_to:
            self.conditions(st, pos, action, span)
        elif stance == "refuses-participation" and rng.random() < 0.5:
            self.carve_out(st, pos)
        return pos

    def pronoun(self, st: dict[str, Any]) -> str:
        if st.get("capacity"):
            return "The official"
        return "It" if len(st.get("speakers") or []) <= 1 and st.get("speakers") else "They"

    def carve_out(self, st: dict[str, Any], main: dict[str, Any]) -> None:
        """A second position that is an exception to ``main``, and an exception condition pointing at it."""
        world = self.world
        holder = main["holders"][0]
        country = next((c for c in world.countries if c.slug == holder), self.country)
        forces = world.labels[country.forces]
        action = {
            "id": self.new_id(f"{country.slug}-self-defence"),
            "label": f"{_cap(forces)} defending themselves if attacked",
            "types": ["self-defence-of-own-forces"],
            "agents": [country.forces],
            "beneficiaries": [country.forces],
            "status": "hypothetical",
            "_vp": f"allow {forces} to defend themselves if attacked",
            "_ger": f"allowing {forces} to defend themselves if attacked",
            "_agent": forces,
        }
        if self.event:
            action["context"] = self.event["id"]
        self.actions.append(action)
        quote = f"{forces} would defend themselves if they were attacked"
        starts = self.tb.sentence(f"{self.pronoun(st)} added that ", (quote,), ".")
        span = Span(quote, starts[0], "paraphrase")
        self.evidence(st, span)
        carve = {
            "id": self.new_id(f"{country.slug}-self-defence"),
            "holders": [holder],
            "stance": "ready-to",
            "action": action["id"],
            "expressed_in": [st["id"]],
            "exception_to": main["id"],
            "conditions": [
                {
                    "type": "trigger",
                    "values": ["armed-attack-on-own-forces"],
                    "text": "only if its forces were attacked",
                    "_spans": [span],
                }
            ],
        }
        self.positions.append(carve)
        main.setdefault("conditions", []).append(
            {
                "type": "exception",
                "carve_out": carve["id"],
                "operator": "except",
                "text": "its forces would defend themselves if attacked",
                "_spans": [span],
            }
        )

    def conditions(self, st: dict[str, Any], pos: dict[str, Any], action: dict[str, Any], span: Span) -> None:
        rng, world = self.rng, self.world
        country = self.country
        io = rng.choice(world.ios)
        choices = [
            (
                "acting-capacity",
                ["collective-alliance-action"],
                [],
                "only",
                f"only as part of a collective action through the {io[1]}",
                "only as a collective action of the alliance",
            ),
            (
                "acting-capacity",
                ["individual-member-state-action"],
                [],
                "only",
                "only by individual member states acting on their own",
                "only individual member states, not the organisation",
            ),
            (
                "participation-modality",
                ["direct"],
                [],
                "only",
                "would not be directly involved",
                "no direct involvement",
            ),
            (
                "participation-modality",
                ["indirect-enabling"],
                [],
                "only",
                "only by providing logistical support",
                "logistical support only",
            ),
            ("purpose", ["defensive"], [], "only", "only for defensive purposes", "defensive purposes only"),
            (
                "purpose",
                ["protective"],
                [],
                None,
                "to protect civilians and commercial shipping",
                "to protect civilians and shipping",
            ),
            (
                "purpose",
                ["offensive"],
                [],
                None,
                "as part of an offensive campaign",
                "as part of an offensive campaign",
            ),
            (
                "stated-rationale",
                ["degrade-nuclear-and-missile-capabilities"],
                [],
                None,
                f"the strikes would degrade the missile and nuclear capabilities of {world.labels[self.target_country.slug]}",
                "degrading nuclear and missile capabilities",
            ),
            (
                "trigger",
                ["armed-attack-on-own-forces"],
                [],
                "only",
                f"only if {world.labels[country.forces]} came under attack",
                "only if its forces are attacked",
            ),
            (
                "trigger",
                ["further-attack-on-allies"],
                [],
                None,
                "in the event of further attacks on its allies",
                "further attacks on allies",
            ),
            (
                "legal-basis",
                ["collective-self-defence"],
                [],
                None,
                "as an act of collective self-defence under international law",
                "collective self-defence",
            ),
            (
                "legal-basis",
                ["individual-self-defence"],
                [],
                None,
                "in self-defence under the UN Charter",
                "individual self-defence",
            ),
            (
                "threshold",
                ["necessity-and-proportionality"],
                [],
                "only",
                "only if necessary and proportionate",
                "necessary and proportionate action only",
            ),
            (
                "capability-limitation",
                ["insufficient-military-resources"],
                [],
                None,
                "lacked the military resources for such a mission",
                "lacks the necessary military resources",
            ),
            (
                "procedural-objection",
                ["no-multilateral-deliberation"],
                [io[0]],
                None,
                f"without any debate at the {io[1]}",
                f"not debated at the {io[1]}",
            ),
            ("beneficiary-scope", [], "beneficiaries", "any-of", None, None),
            ("target-scope", [], "things", "only", None, None),
            ("geographic-scope", [], "places", "only", None, None),
            (
                "temporal-scope",
                [],
                [],
                None,
                f"until the end of {MONTHS[self.published.month - 1]}",
                f"until the end of {MONTHS[self.published.month - 1]}",
            ),
            (
                "exception",
                ["individual-member-state-action"],
                [],
                "except",
                "except for individual member states acting on their own",
                "except individual member states",
            ),
        ]
        used: dict[str, int] = {}
        for c in pos.get("conditions", []):
            used[c["type"]] = used.get(c["type"], 0) + 1
        for _ in range(1 if rng.random() < 0.7 else 2):
            ctype, values, refs, operator, phrase, text = rng.choice(choices)
            if refs == "beneficiaries":
                slugs = action.get("beneficiaries") or [c.slug for c in rng.sample(self.cast, 2)]
                phrase = f"to the benefit of {_names(world, slugs)}"
                text, refs = f"benefiting {_names(world, slugs)}", slugs
                operator = "any-of" if len(slugs) > 1 else None
            elif refs == "things":
                thing = self.target_country.sites
                phrase, text, refs = f"only against {world.labels[thing]}", f"only {world.labels[thing]}", [thing]
            elif refs == "places":
                place = rng.choice(world.places)
                phrase, text, refs = f"only within {world.labels[place]}", f"only in {world.labels[place]}", [place]
            condition: dict[str, Any] = {"type": ctype}
            if values:
                condition["values"] = list(values)
            if refs:
                condition["refs"] = list(refs)
            if operator and rng.random() < 0.7:
                condition["operator"] = operator
            condition["text"] = text
            r = rng.random()
            if r < 0.2:
                spans = [span]  # the position's own words carry the condition
            else:
                if r < 0.5:
                    starts = self.tb.sentence(
                        "“It applies ",
                        (phrase,),
                        ",” the statement said." if not st.get("capacity") else ",” the official said.",
                    )
                    kind = "direct-quote"
                else:
                    starts = self.tb.sentence(
                        rng.choice(
                            ["It was stressed that this would apply ", "This would apply ", "The position applies "]
                        ),
                        (phrase,),
                        ".",
                    )
                    kind = "paraphrase"
                spans = [Span(phrase, starts[0], kind)]
                if rng.random() < 0.2:
                    spans.append(span)
            condition["_spans"] = spans
            used[ctype] = used.get(ctype, 0) + 1
            pos.setdefault("conditions", []).append(condition)

    def tensions(self) -> None:
        rng = self.rng
        by_holder: dict[str, list[dict[str, Any]]] = {}
        for p in self.positions:
            by_holder.setdefault(p["holders"][0], []).append(p)
        for _holder, items in by_holder.items():
            if len(items) >= 2 and rng.random() < 0.25:
                a, b = rng.sample(items, 2)
                if a.get("exception_to") == b["id"] or b.get("exception_to") == a["id"]:
                    continue
                a.setdefault("in_tension_with", []).append(b["id"])
                b.setdefault("in_tension_with", []).append(a["id"])

    def repeat_quote(self) -> None:
        """Repeat an earlier direct quote, so the annotation must say which occurrence is meant."""
        direct = [s for st in self.statements for s in st.get("_spans", []) if s.kind == "direct-quote"]
        if direct:
            span = self.rng.choice(direct)
            self.tb.paragraph()
            self.tb.sentence("Asked about it again later, the spokesperson repeated: “", (span.quote,), "”.")


def clean(data: Any) -> Any:
    """Drop the generator's private keys (``_...``)."""
    if isinstance(data, dict):
        return {k: clean(v) for k, v in data.items() if not k.startswith("_")}
    if isinstance(data, list):
        return [clean(v) for v in data]
    return data


def dump(data: Any) -> str:
    return yaml.dump(clean(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10000)


def check_vocabulary() -> None:
    """Fail loudly if a notation used here is not in the shipped vocabularies (import from the repo)."""
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo))
    from kg.vocabulary import concepts

    action_types = [STRIKE_TYPE.get(kind, kind) for kind in ACTION_TYPES]
    for scheme, used in (("stance", STANCES), ("action-type", action_types), ("venue-type", VENUE_TYPES)):
        unknown = set(used) - set(concepts(scheme))
        if unknown:
            raise SystemExit(f"bench/generate.py uses notations not in {scheme}: {sorted(unknown)}")


def generate(out: Path, articles: int, seed: int) -> dict[str, int]:
    """Write the corpus; return counts."""
    world = build_world(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "registry.yaml").write_text(
        f"# Synthetic registry written by bench/generate.py (seed {seed}).\n" + dump(world.registry), encoding="utf-8"
    )
    counts = {"articles": 0, "statements": 0, "positions": 0, "conditions": 0, "quotes": 0}
    for index in range(articles):
        source_id, data, text = ArticleGenerator(world, seed, index).generate()
        folder = out / "articles" / f"{index // ARTICLES_PER_FOLDER:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{index:06d}_{source_id}"
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
        data["article"]["text"] = f"{stem}.txt"
        data["article"] = {
            k: data["article"][k]
            for k in ("source_id", "text", *[k for k in data["article"] if k not in ("source_id", "text")])
        }
        (folder / f"{stem}.yaml").write_text(dump(data), encoding="utf-8")
        counts["articles"] += 1
        counts["statements"] += len(data["statements"])
        counts["positions"] += len(data["positions"])
        counts["conditions"] += sum(len(p.get("conditions", [])) for p in data["positions"])
        counts["quotes"] += sum(len(s["evidence"]) for s in data["statements"])
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    args = parser.parse_args(argv)
    check_vocabulary()
    started = time.perf_counter()
    counts = generate(args.out, args.articles, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {counts['articles']} articles ({counts['statements']} statements, {counts['positions']} positions, "
        f"{counts['conditions']} conditions) to {args.out} in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
