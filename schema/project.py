"""The project file, ``stancebank.toml``: one team's project — its name, Label Studio project,
languages, license, Hub repository, split registry, annotation policy, target catalogue and the
actors its articles keep naming.

Every command reads ``./stancebank.toml`` when it exists, or the file given with the root option
``--project FILE`` (environment: ``STANCEBANK_PROJECT``); flags given on a command override it.
``stancebank init [DIR]`` writes a commented one to start from.

The file is checked strictly: an unknown key, a wrong type or a bad value is refused with the
file, the line, the key and the fix, never ignored. Relative paths in it are relative to the
folder the file is in, not to the working directory, so a command run from anywhere reads and
writes the same registry.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebank.schema.atomic import atomic_write_text, check_output
from stancebank.schema.errors import OutputError, StancebankError, not_utf8
from stancebank.schema.spec import SPEC

PROJECT_FILE = "stancebank.toml"
PROJECT_ENV = "STANCEBANK_PROJECT"

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_HUB_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
_GROUND_TRUTH_BY = ("reviewer", "manager")
_CONFLICTS = ("review", "drop")
_ACTOR_TYPES = SPEC.attribute_for("actor_type").choices


class ProjectFileError(StancebankError):
    """The project file is missing, unreadable or holds a key, type or value it cannot take."""

    exit_code = 2


@dataclass(frozen=True)
class Target:
    """One entry of the target catalogue: a canonical target and how it is written in text."""

    name: str
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    description: str = ""

    @property
    def phrases(self) -> tuple[str, ...]:
        """The literal phrases that mention the target: its name and its aliases, deduplicated."""
        seen: dict[str, None] = {}
        for phrase in (self.name, *self.aliases):
            seen.setdefault(phrase.casefold(), None)
        return tuple(seen)

    def matcher(self) -> re.Pattern[str]:
        """One case-insensitive pattern for every alias (as a literal, on word boundaries) and
        every regex of the target; longer alternatives first so the longest mention wins."""
        literals = sorted(self.phrases, key=len, reverse=True)
        parts = [rf"\b{re.escape(p)}\b" for p in literals] + [f"(?:{p})" for p in self.patterns]
        return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class Actor:
    """One entry of the project's actor list (``[[actors]]``): an actor its articles keep naming,
    how it is written, and the phrases that describe it. Pre-annotation marks its aliases as ACTOR
    mentions and fills ``actor_name`` with :attr:`name`, also for a description speaker ("the
    Ukrainian president")."""

    name: str
    type: str
    """An ``actor_type`` choice of the spec (person, organization, government, group, other)."""
    aliases: tuple[str, ...] = ()
    """Ways the text writes the name, matched case-sensitively (and in all lower case)."""
    descriptions: tuple[str, ...] = ()
    """Noun phrases that name the actor in news, matched case-insensitively inside a speaker phrase."""

    @property
    def phrases(self) -> tuple[str, ...]:
        """The name and its aliases, deduplicated, in order."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))


@dataclass(frozen=True)
class StudioSettings:
    """``[studio]``: the Label Studio project and how many annotators see each task."""

    project_title: str
    overlap: int | None = None
    """Annotators per task in the overlap share; None: not stated (``studio push`` leaves the
    Label Studio project's setting as it is)."""
    overlap_percent: int | None = None
    """The share of tasks (in %) that gets ``overlap`` annotators; None: not stated."""


@dataclass(frozen=True)
class Policy:
    """``[policy]``: when annotations become gold."""

    min_annotators: int = 1
    single_annotation_gold: bool = True
    ground_truth_by: tuple[str, ...] = _GROUND_TRUTH_BY
    # an article's conflicting items: "review" (it waits for a reviewer) or "drop" (they are left
    # out and its agreed items are gold)
    conflicts: str = "review"


@dataclass(frozen=True)
class Project:
    """A parsed, checked project file. ``path`` is None for the defaults (no file)."""

    name: str
    studio: StudioSettings
    languages: tuple[str, ...] = ("en",)
    license: str = "other"
    license_name: str | None = None
    license_link: str | None = None
    hub_repo: str | None = None
    registry: Path | None = None
    policy: Policy = field(default_factory=Policy)
    targets: tuple[Target, ...] = ()
    actors: tuple[Actor, ...] = ()
    path: Path | None = None

    @property
    def root(self) -> Path | None:
        """The folder of the project file (relative paths in it are resolved against it)."""
        return self.path.parent if self.path else None

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        known = ", ".join(t.name for t in self.targets) or "none"
        raise KeyError(f"no target named {name!r} in the catalogue; known: {known}")


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class _Key:
    """One allowed key: how to check its value, and an example that shows the fix."""

    check: Callable[[Any], Any]
    example: str
    required: bool = False


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("a non-empty string")
    if any(ch in value for ch in "\r\n"):
        raise ValueError("a single line (no line breaks)")
    return value.strip()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("a list of strings")
    return tuple(_string(item) for item in value)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a whole number")
    if value < 1:
        raise ValueError("a whole number of at least 1")
    return value


def _percent(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a whole number from 0 to 100")
    if not 0 <= value <= 100:
        raise ValueError("a whole number from 0 to 100")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _languages(value: Any) -> tuple[str, ...]:
    codes = _strings(value)
    if not codes:
        raise ValueError("at least one language code")
    for code in codes:
        if not _LANGUAGE.fullmatch(code):
            raise ValueError(f"language codes like 'en' or 'pt-BR' ({code!r} is not one)")
    return codes


def _hub_repo(value: Any) -> str:
    repo = _string(value)
    if not _HUB_REPO.fullmatch(repo):
        raise ValueError(f"a Hub repository id ORG/NAME ({repo!r} is not one)")
    return repo


def _url(value: Any) -> str:
    url = _string(value)
    if not re.match(r"https?://\S+$", url):
        raise ValueError(f"an http(s) URL ({url!r} is not one)")
    return url


def _ground_truth_by(value: Any) -> tuple[str, ...]:
    roles = _strings(value)
    unknown = sorted(set(roles) - set(_GROUND_TRUTH_BY))
    if unknown:
        raise ValueError(f"a list of {', '.join(_GROUND_TRUTH_BY)} (not {', '.join(unknown)})")
    return tuple(dict.fromkeys(roles))  # each role once, in the file's order


def _conflicts(value: Any) -> str:
    if value not in _CONFLICTS:
        raise ValueError(f"one of {', '.join(repr(c) for c in _CONFLICTS)} (not {value!r})")
    return str(value)


def _actor_type(value: Any) -> str:
    if value not in _ACTOR_TYPES:
        raise ValueError(f"one of {', '.join(repr(t) for t in _ACTOR_TYPES)}")
    return str(value)


def _patterns(value: Any) -> tuple[str, ...]:
    patterns = _strings(value)
    for pattern in patterns:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"regular expressions ({pattern!r}: {exc})") from None
        if compiled.match(""):
            raise ValueError(f"patterns that cannot match empty text ({pattern!r} can)")
    return patterns


_SECTIONS: dict[str, dict[str, _Key]] = {
    "project": {
        "name": _Key(_string, 'name = "my-stance-project"', required=True),
        "languages": _Key(_languages, 'languages = ["en"]'),
        "license": _Key(_string, 'license = "cc-by-4.0"'),
        "license_name": _Key(_string, 'license_name = "Our data license"'),
        "license_link": _Key(_url, 'license_link = "https://example.org/license"'),
        "hub_repo": _Key(_hub_repo, 'hub_repo = "my-org/my-dataset"'),
        "registry": _Key(_string, 'registry = "data/split_registry.json"'),
    },
    "studio": {
        "project_title": _Key(_string, 'project_title = "my-stance-project"'),
        "overlap": _Key(_positive_int, "overlap = 2"),
        "overlap_percent": _Key(_percent, "overlap_percent = 20"),
    },
    "policy": {
        "min_annotators": _Key(_positive_int, "min_annotators = 2"),
        "single_annotation_gold": _Key(_boolean, "single_annotation_gold = true"),
        "ground_truth_by": _Key(_ground_truth_by, 'ground_truth_by = ["reviewer", "manager"]'),
        "conflicts": _Key(_conflicts, 'conflicts = "review"'),
    },
    "targets": {
        "name": _Key(_string, 'name = "congestion charge"', required=True),
        "aliases": _Key(_strings, 'aliases = ["the charge", "congestion fee"]'),
        "patterns": _Key(_patterns, "patterns = ['congestion (fee|levy)s?']"),
        "description": _Key(_string, 'description = "The city\'s proposed daily fee."'),
    },
    "actors": {
        "name": _Key(_string, 'name = "Anna Berg"', required=True),
        "type": _Key(_actor_type, 'type = "person"', required=True),
        "aliases": _Key(_strings, 'aliases = ["Berg", "Mayor Berg"]'),
        "descriptions": _Key(_strings, 'descriptions = ["the mayor", "the city\'s mayor"]'),
    },
}
_LISTS = ("targets", "actors")
"""The sections written as arrays of tables (``[[targets]]``), the others are single tables."""


class _Locator:
    """Finds the line of a key in the raw text (``tomllib`` reports none for a valid file)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    _KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, int, str], int] = {}
        self.headers: dict[tuple[str, int], int] = {}
        section, index, counts = "", 0, dict[str, int]()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                section = header.group(2)
                if header.group(1) == "[[":
                    index = counts.get(section, 0)
                    counts[section] = index + 1
                else:
                    index = 0
                self.headers.setdefault((section, index), number)
                continue
            key = self._KEY.match(line)
            if key:
                self.lines.setdefault((section, index, key.group(1)), number)

    def line(self, section: str, index: int, key: str | None = None) -> int | None:
        if key is not None and (section, index, key) in self.lines:
            return self.lines[(section, index, key)]
        return self.headers.get((section, index))


def load_project(path: Path) -> Project:
    """Read and check a project file; raises :class:`ProjectFileError` naming line, key and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectFileError(
            f"{path}: no such project file; create one with `stancebank init {path.parent}`"
        ) from None
    except UnicodeDecodeError as exc:
        raise ProjectFileError(not_utf8(path, exc)) from None
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot read the project file ({exc})") from None
    return parse_project(text, path)


def parse_project(text: str, path: Path) -> Project:
    """Parse the text of a project file that lives at ``path`` (paths resolve against its folder)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectFileError(f"{path}: not valid TOML: {exc}. Fix the line it names.") from None
    where = _Locator(text)

    def fail(section: str, index: int, key: str | None, problem: str, fix: str) -> ProjectFileError:
        line = where.line(section, index, key)
        at = f"{path}" + (f", line {line}" if line else "")
        name = f"[[{section}]] #{index + 1}" if section in _LISTS else f"[{section}]"
        item = f"{name} {key}" if key else name
        return ProjectFileError(f"{at}: {item}: {problem}. Fix: {fix}")

    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        key = unknown[0]
        line = where.line(key, 0) or where.line("", 0, key)
        at = f"{path}" + (f", line {line}" if line else "")
        raise ProjectFileError(
            f"{at}: unknown section or key {key!r}; the file takes "
            f"{', '.join('[' + s + ']' for s in _SECTIONS if s not in _LISTS)}, "
            f"{' and '.join('[[' + s + ']]' for s in _LISTS)}. "
            "Fix: remove it or correct its spelling (keys belong under a [section])."
        )

    def section_values(section: str, index: int, table: Any) -> dict[str, Any]:
        if not isinstance(table, dict):
            shape = f"[[{section}]] tables" if section in _LISTS else f"a [{section}] table"
            raise fail(section, index, None, f"must be {shape}", "see `stancebank init` for the layout")
        allowed = _SECTIONS[section]
        values: dict[str, Any] = {}
        for key, value in table.items():
            spec = allowed.get(key)
            if spec is None:
                raise fail(
                    section,
                    index,
                    key,
                    f"unknown key; known keys: {', '.join(allowed)}",
                    "remove it or correct its spelling",
                )
            try:
                values[key] = spec.check(value)
            except (TypeError, ValueError) as exc:
                raise fail(
                    section, index, key, f"must be {exc}, not {value!r}", f"write it like `{spec.example}`"
                ) from None
        for key, spec in allowed.items():
            if spec.required and key not in values:
                raise fail(section, index, None, f"{key!r} is required", f"add `{spec.example}`")
        return values

    if "project" not in raw:
        raise fail(
            "project",
            0,
            None,
            "the [project] table is missing",
            'add a [project] table with `name = "my-project"`',
        )
    project = section_values("project", 0, raw["project"])
    studio = section_values("studio", 0, raw.get("studio", {}))
    policy = section_values("policy", 0, raw.get("policy", {}))

    def tables(section: str) -> list[dict[str, Any]]:
        found = raw.get(section, [])
        if not isinstance(found, list):
            raise fail(
                section, 0, None, f"must be a list of [[{section}]] tables", f"write each as [[{section}]]"
            )
        return [section_values(section, index, table) for index, table in enumerate(found)]

    targets = tuple(Target(**values) for values in tables("targets"))
    _check_catalogue(targets, fail)
    actors = tuple(Actor(**values) for values in tables("actors"))
    _check_actors(actors, fail)
    if project.get("license") == "other" and "license_name" not in project:
        raise fail(
            "project",
            0,
            "license",
            "'other' needs license_name and license_link (the Hub shows them)",
            "add `license_name = ...` and `license_link = ...`, or give a Hub license id",
        )
    registry = project.pop("registry", None)
    root = path.parent
    return Project(
        name=project["name"],
        studio=StudioSettings(project_title=studio.pop("project_title", project["name"]), **studio),
        languages=project.get("languages", ("en",)),
        license=project.get("license", "other"),
        license_name=project.get("license_name"),
        license_link=project.get("license_link"),
        hub_repo=project.get("hub_repo"),
        registry=(root / registry).resolve() if registry else None,
        policy=Policy(**policy),
        targets=targets,
        actors=actors,
        path=path.resolve(),
    )


def _check_catalogue(
    targets: Sequence[Target], fail: Callable[[str, int, str | None, str, str], ProjectFileError]
) -> None:
    names: dict[str, int] = {}
    phrases: dict[str, tuple[int, str]] = {}
    for index, target in enumerate(targets):
        if target.name.casefold() in names:
            first = names[target.name.casefold()] + 1
            raise fail(
                "targets", index, "name", f"{target.name!r} is already target #{first}", "merge the two"
            )
        names[target.name.casefold()] = index
        for phrase in target.phrases:
            if phrase in phrases and phrases[phrase][0] != index:
                other = phrases[phrase]
                raise fail(
                    "targets",
                    index,
                    "aliases",
                    f"{phrase!r} also names target #{other[0] + 1} ({other[1]!r})",
                    "give each phrase to one target only",
                )
            phrases[phrase] = (index, target.name)


def _check_actors(
    actors: Sequence[Actor], fail: Callable[[str, int, str | None, str, str], ProjectFileError]
) -> None:
    """One entry per actor: a name, an alias or a description names one actor only."""
    names: dict[str, int] = {}
    phrases: dict[str, int] = {}
    descriptions: dict[str, int] = {}
    for index, actor in enumerate(actors):
        if actor.name.casefold() in names:
            first = names[actor.name.casefold()] + 1
            raise fail("actors", index, "name", f"{actor.name!r} is already actor #{first}", "merge the two")
        names[actor.name.casefold()] = index
        for phrase in actor.phrases:
            if phrases.setdefault(phrase, index) != index:
                raise fail(
                    "actors",
                    index,
                    "aliases",
                    f"{phrase!r} also names actor #{phrases[phrase] + 1} ({actors[phrases[phrase]].name!r})",
                    "give each alias to one actor only",
                )
        for phrase in actor.descriptions:
            key = phrase.casefold()
            if descriptions.setdefault(key, index) != index:
                raise fail(
                    "actors",
                    index,
                    "descriptions",
                    f"{phrase!r} also describes actor #{descriptions[key] + 1} "
                    f"({actors[descriptions[key]].name!r})",
                    "give each description to one actor only",
                )


def find_project(explicit: Path | None = None, cwd: Path | None = None) -> Project | None:
    """The active project: ``explicit`` (or ``$STANCEBANK_PROJECT``), else ``./stancebank.toml``
    when it exists, else None (commands then use their flags and built-in defaults)."""
    chosen = explicit or (Path(os.environ[PROJECT_ENV]) if os.environ.get(PROJECT_ENV) else None)
    if chosen is not None:
        return load_project(chosen)
    candidate = (cwd or Path.cwd()) / PROJECT_FILE
    return load_project(candidate) if candidate.is_file() else None


def pick(flag: Any, project_value: Any, default: Any = None) -> Any:
    """A command's value: its flag when given, else the project file's, else the default."""
    if flag is not None:
        return flag
    return project_value if project_value is not None else default


# ------------------------------------------------------------------------------------------ writing

TEMPLATE = """\
# stancebank project file. Every stancebank command run in this folder reads it (or pass
# `stancebank --project FILE ...`); a command's flags override it. Relative paths are relative to
# this file's folder. Unknown keys are refused, so a typo cannot go unnoticed.

[project]
name = {quoted:<30} # the dataset's name (card title, release folder)
languages = ["en"]                    # the articles' languages; `tasks build` warns about others
license = "cc-by-4.0"                 # a Hub license id; "other" needs license_name + license_link
# hub_repo = {hub:<24} # the card's load snippets; where `export publish` pushes
registry = "data/split_registry.json" # sticky train/validation/test assignment: commit it

[studio]
project_title = {quoted:<21} # the Label Studio project
# Left out, `studio push` keeps the overlap the Label Studio project has (a new one: 1 per task).
# overlap = 2                         # annotators per task in the overlap share (2 or more for agreement)
# overlap_percent = 20                # the share of tasks (in %) that gets `overlap` annotators

[policy]
min_annotators = 1                    # annotations an article needs before it can be gold
single_annotation_gold = true         # may one annotator's work be gold where overlap was requested?
ground_truth_by = ["reviewer", "manager"]  # whose stars count (never an article's own annotators')
conflicts = "review"                  # conflicting items: "review" (the article waits) or "drop"

# The target catalogue: what stances are about. One [[targets]] table per canonical target.
# Pre-annotation proposes a TARGET region where an alias or pattern occurs in or near a claim and
# fills its target_name; the release groups and counts stances by these names.
# `stancebank tasks targets ARTICLES...` proposes entries from your own corpus.
#
# [[targets]]
# name = "congestion charge"                     # canonical name: what researchers group by
# aliases = ["congestion charge", "the charge"]  # literal phrases, case-insensitive
# patterns = ['congestion (fee|levy)s?']         # optional regular expressions
# description = "The city's proposed daily fee for driving into the centre."

# The actors your articles keep naming (optional). Pre-annotation marks their aliases as ACTORs and
# fills actor_name with the canonical name, also for a speaker described by one of the
# descriptions. Speakers not listed are still found (names, titles, pronouns, "the ministry").
#
# [[actors]]
# name = "Anna Berg"                             # canonical actor_name
# type = "person"                                # person, organization, government, group or other
# aliases = ["Anna Berg", "Berg", "Mayor Berg"]  # as written, case-sensitive
# descriptions = ["the mayor", "the city's mayor"]  # noun phrases naming her, case-insensitive
"""


def render_template(name: str) -> str:
    """The commented project file ``stancebank init`` writes for a project called ``name``."""
    if not name.strip() or any(ch in name for ch in '"\\\r\n'):
        raise ProjectFileError(f"{name!r} cannot be a project name: use letters, digits, '-' or '_'")
    name = name.strip()
    # the values are padded so that their comments start in one column (a name of up to 15
    # characters keeps them there)
    return TEMPLATE.format(quoted=f'"{name}"', hub=f'"my-org/{name}"')


def write_template(folder: Path, name: str | None = None, *, force: bool = False) -> Path:
    """Write ``folder/stancebank.toml`` (refusing to overwrite one unless ``force``)."""
    target = folder / PROJECT_FILE
    check_output(folder, folder=True)  # not under a file, not a file itself
    if target.is_dir():
        raise OutputError(
            f"cannot write {target}: it is a folder, not a file; move it away, or init another folder"
        )
    if target.exists() and not force:
        raise ProjectFileError(f"{target} exists already; edit it, or pass --force to overwrite it")
    text = render_template(name or folder.resolve().name or "stancebank-project")
    parse_project(text, target)  # the template must always be a valid project file
    atomic_write_text(target, text)
    return target


def describe(project: Project) -> Mapping[str, Any]:
    """A plain summary of the project, as JSON-ready values; holds no secrets."""
    return {
        "file": str(project.path) if project.path else None,
        "name": project.name,
        "studio project": project.studio.project_title,
        "languages": list(project.languages),
        "license": project.license,
        "hub_repo": project.hub_repo,
        "registry": str(project.registry) if project.registry else None,
        "targets": [t.name for t in project.targets],
        "actors": [a.name for a in project.actors],
    }
