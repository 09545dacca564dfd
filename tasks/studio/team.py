"""The annotation team on a free Label Studio: annotator accounts, deactivation, task overlap.

- :func:`add_annotators` creates users that can log in: the free edition's REST API cannot set a
  password, so each user signs up through the public signup form with the organization's invite
  token (``GET /api/invite``), exactly as a person following the invite link would. The generated
  password is returned once to the caller (the CLI prints it); it is never logged or stored.
- :func:`list_annotators` reads the organization's members with their pseudonym (the export's
  keyed hash of ``ls:<user id>``, the identity releases use) and their annotation count.
- :func:`remove_annotator` deactivates a member (``DELETE /api/organizations/{org}/memberships/
  {user}``, a soft delete): they lose access to the projects, their annotations stay.
- :func:`apply_overlap` sets a project's ``maximum_annotations`` and ``overlap_cohort_percentage``
  (and ``show_overlap_first`` when only a share overlaps), which Label Studio's next-task queue
  ("Label all tasks") honours.

Label Studio masks a removed member as "Deleted User", so the names and e-mails of the members
this machine added or listed are remembered in a roster file (``team.json``, mode 0600) in the
studio directory — never under ``data/`` and never in a release.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import StudioError, TasksFileError

logger = logging.getLogger(__name__)

TEAM_DOMAIN = "team.stancebank.invalid"
ROSTER_FILE = "team.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Label Studio's user serializer shows a removed member with these fields (users/serializers.py)
_MASKED = {"email": "Deleted", "first_name": "Deleted", "last_name": "User"}


@dataclass(frozen=True)
class NewAnnotator:
    """An account just created; ``password`` is shown once and kept nowhere."""

    name: str
    email: str
    user_id: int
    password: str = field(repr=False)


@dataclass(frozen=True)
class Annotator:
    """One member of the organization as the local table shows it."""

    user_id: int
    name: str
    email: str
    pseudonym: str
    active: bool
    annotations: int


def login_email(name: str) -> str:
    """The login of an annotator: the e-mail given, or ``<name>@team.stancebank.invalid``."""
    if "@" in name:
        if not _EMAIL.match(name):
            raise TasksFileError(f"annotator {name!r}: not a valid e-mail address (expected name@domain.tld)")
        return name.lower()
    if not _NAME.match(name):
        raise TasksFileError(
            f"annotator {name!r}: a name may hold letters, digits, '.', '_' and '-' (e.g. 'maria'), or "
            "give an e-mail address"
        )
    return f"{name.lower()}@{TEAM_DOMAIN}"


def generate_password() -> str:
    """A random password (~96 bits) that passes Django's validators."""
    return secrets.token_urlsafe(12) + "-" + secrets.token_hex(2)


# ------------------------------------------------------------------------------------------ roster


class Roster:
    """user id → (name, e-mail) of the members this machine knows, per server URL (0600 file)."""

    def __init__(self, path: Path | None, server_url: str) -> None:
        self.path = path
        self.server = server_url
        self._data: dict[str, dict[str, dict[str, str]]] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StudioError(
                    f"{path}: unreadable team roster ({exc}); delete it to start afresh"
                ) from None
            if isinstance(loaded, dict):
                self._data = loaded

    def get(self, user_id: int) -> dict[str, str] | None:
        return self._data.get(self.server, {}).get(str(user_id))

    def remember(self, user_id: int, name: str, email: str) -> None:
        self._data.setdefault(self.server, {})[str(user_id)] = {"name": name, "email": email}

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._data, fh, indent=1, sort_keys=True)
        tmp.replace(self.path)


# ------------------------------------------------------------------------------------------ server


def organization_id(client: StudioClient) -> int:
    me = client.get_json("/api/current-user/whoami")
    org = me.get("active_organization")
    if not isinstance(org, int):
        raise StudioError(f"the API key's user on {client.url} has no active organization")
    return org


def users(client: StudioClient) -> list[dict[str, Any]]:
    body = client.get_json("/api/users/", params={"page_size": -1})
    found = body.get("results", []) if isinstance(body, dict) else body
    return [u for u in found if isinstance(u, dict)]


def _is_masked(user: dict[str, Any]) -> bool:
    return all(user.get(k) == v for k, v in _MASKED.items())


class _DropSecret(logging.Filter):
    """Drops log records that would show a secret (httpx logs request URLs at INFO)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        return self.secret not in record.getMessage()


@contextlib.contextmanager
def _no_log_of(secret: str) -> Iterator[None]:
    guard = _DropSecret(secret)
    loggers = [logging.getLogger(n) for n in ("httpx", "httpcore")]
    for lg in loggers:
        lg.addFilter(guard)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(guard)


def _signup(url: str, invite_token: str, email: str, password: str, timeout: float) -> None:
    """Sign up through the public form with the invite token (a fresh, cookie-holding session)."""
    path = "/user/signup/"
    params = {"token": invite_token}
    with _no_log_of(invite_token), httpx.Client(base_url=url, timeout=timeout) as web:
        page = web.get(path, params=params)
        csrf = web.cookies.get("csrftoken")
        if page.status_code != 200 or not csrf:
            raise StudioError(
                f"the signup page of {url} answered HTTP {page.status_code} without a CSRF cookie"
            )
        resp = web.post(
            path,
            params=params,
            data={
                "email": email,
                "password": password,
                "csrfmiddlewaretoken": csrf,
                "how_find_us": "",
                "elaborate": "",
            },
            headers={"Referer": f"{url}{path}"},
        )
    if resp.status_code == 403:
        raise StudioError(f"{url} refused the organization's invite token for {email} (HTTP 403)")
    if resp.status_code not in (301, 302, 303):
        hint = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,200})<', resp.text)
        detail = "; ".join(h.strip() for h in hint if h.strip()) or f"HTTP {resp.status_code}"
        raise StudioError(f"the signup form of {url} refused {email}: {detail}")


def add_annotators(
    client: StudioClient,
    names: Sequence[str],
    *,
    roster: Roster | None = None,
    password_factory: Callable[[], str] = generate_password,
) -> tuple[list[NewAnnotator], list[str]]:
    """Create one account per name. Returns (created, names skipped because the login exists)."""
    logins = [(name, login_email(name)) for name in names]
    existing = {str(u.get("email", "")).lower() for u in users(client)}
    invite = client.get_json("/api/invite")
    token = invite.get("token") if isinstance(invite, dict) else None
    if not isinstance(token, str) or not token:
        raise StudioError(f"{client.url}/api/invite gave no invite token; use an administrator's API key")
    created: list[NewAnnotator] = []
    skipped: list[str] = []
    for name, email in logins:
        if email in existing:
            skipped.append(name)
            continue
        password = password_factory()
        _signup(client.url, token, email, password, client.timeout)
        by_email = {str(u.get("email", "")).lower(): u for u in users(client)}
        user = by_email.get(email)
        if user is None:
            raise StudioError(f"signed up {email} on {client.url}, but the user list does not show it")
        display = name.split("@")[0] if "@" in name else name
        client.patch_json(f"/api/users/{user['id']}/", {"first_name": display})
        created.append(NewAnnotator(display, email, int(user["id"]), password))
        existing.add(email)
        if roster is not None:
            roster.remember(int(user["id"]), display, email)
        logger.info("created annotator account %s (user id %s)", display, user["id"])
    if roster is not None:
        roster.save()
    return created, skipped


def list_annotators(
    client: StudioClient, pseudonym: Callable[[str], str], *, roster: Roster | None = None
) -> list[Annotator]:
    """Every member of the organization with pseudonym, active flag and annotation count."""
    org = organization_id(client)
    rows: list[Annotator] = []
    for user in sorted(users(client), key=lambda u: int(u["id"])):
        uid = int(user["id"])
        known = roster.get(uid) if roster is not None else None
        masked = _is_masked(user)
        if not masked and roster is not None:
            name = str(user.get("first_name") or user.get("username") or "")
            roster.remember(uid, name, str(user.get("email", "")))
            known = roster.get(uid)
        name = (known or {}).get("name") or ("?" if masked else str(user.get("username", "")))
        email = (known or {}).get("email") or ("?" if masked else str(user.get("email", "")))
        member = client.get_json(f"/api/organizations/{org}/memberships/{uid}")
        rows.append(
            Annotator(
                user_id=uid,
                name=name,
                email=email,
                pseudonym=pseudonym(f"ls:{uid}"),
                active=not masked,
                annotations=int(member.get("annotations_count") or 0),
            )
        )
    if roster is not None:
        roster.save()
    return rows


def find_user(client: StudioClient, who: str, roster: Roster | None = None) -> int:
    """The user id of a member named by e-mail, name or user id."""
    wanted = who.lower()
    email = login_email(who) if (_NAME.match(who) or _EMAIL.match(who)) else wanted
    matches: set[int] = set()
    for user in users(client):
        uid = int(user["id"])
        fields = {str(user.get(k, "")).lower() for k in ("email", "username", "first_name")}
        if wanted in fields or email in fields or who == str(uid):
            matches.add(uid)
    if not matches and roster is not None:
        for uid_text, info in roster._data.get(roster.server, {}).items():
            if wanted in {info.get("name", "").lower(), info.get("email", "").lower()}:
                matches.add(int(uid_text))
    if not matches:
        raise StudioError(
            f"no member of {client.url} is named or has the e-mail {who!r}; see `annotators list`"
        )
    if len(matches) > 1:
        raise StudioError(f"{who!r} names several members (user ids {sorted(matches)}); give the e-mail")
    return matches.pop()


def remove_annotator(client: StudioClient, who: str, roster: Roster | None = None) -> int:
    """Deactivate a member (soft delete of the membership); returns the user id."""
    uid = find_user(client, who, roster)
    me = client.get_json("/api/current-user/whoami")
    if int(me.get("id", -1)) == uid:
        raise StudioError(f"{who!r} is the user of the API key: an administrator cannot remove themselves")
    org = organization_id(client)
    resp = client.request("DELETE", f"/api/organizations/{org}/memberships/{uid}", expect=(204, 404))
    if resp.status_code == 404:
        logger.info("member %d was already removed", uid)
    return uid


# ----------------------------------------------------------------------------------------- overlap


@dataclass(frozen=True)
class OverlapChange:
    project_id: int
    overlap: int
    overlap_percent: int
    changed: bool


def apply_overlap(
    client: StudioClient, project_id: int, overlap: int, overlap_percent: int, *, asked_by: str = ""
) -> OverlapChange:
    """Set how many annotators see each task, and on what share of the tasks.

    Label Studio re-arranges the task cohort itself when these change and when tasks are imported;
    ``show_overlap_first`` makes its queue hand out the overlapping tasks before the others, so
    the agreement sample fills first. Lowering the project's overlap is logged as a warning naming
    ``asked_by`` (the flag or file that asks for it) and the settings it replaces.
    """
    if overlap < 1:
        raise TasksFileError(f"overlap must be 1 or more (annotators per task), not {overlap}")
    if not 0 <= overlap_percent <= 100:
        raise TasksFileError(f"overlap_percent must be between 0 and 100, not {overlap_percent}")
    wanted = {
        "maximum_annotations": overlap,
        "overlap_cohort_percentage": overlap_percent,
        "show_overlap_first": overlap > 1 and overlap_percent < 100,
    }
    current = client.get_json(f"/api/projects/{project_id}")
    if all(current.get(k) == v for k, v in wanted.items()):
        return OverlapChange(project_id, overlap, overlap_percent, changed=False)
    before = (int(current.get("maximum_annotations", 1)), int(current.get("overlap_cohort_percentage", 100)))
    if lowers_overlap(before, (overlap, overlap_percent)):
        logger.warning(
            "project %d: lowering the overlap from %d annotator(s) per task on %d%% of the tasks to %d on "
            "%d%%%s; to keep it, pass --overlap %d --overlap-percent %d (or set them in [studio])",
            project_id,
            *before,
            overlap,
            overlap_percent,
            f", as {asked_by} asks" if asked_by else "",
            *before,
        )
    client.patch_json(f"/api/projects/{project_id}", wanted)
    logger.info(
        "project %d: %d annotator(s) per task on %d%% of the tasks", project_id, overlap, overlap_percent
    )
    return OverlapChange(project_id, overlap, overlap_percent, changed=True)


def lowers_overlap(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Does going from ``before`` to ``after`` (annotators per task, share of the tasks in %) ask
    fewer annotators of some task: fewer per overlapping task, or fewer overlapping tasks?"""
    (overlap, percent), (new_overlap, new_percent) = before, after
    if overlap <= 1 or percent == 0:
        return False  # no task had more than one annotator
    return new_overlap < overlap or new_percent < percent


def overlap_settings(
    client: StudioClient, project_id: int, overlap: int | None, overlap_percent: int | None
) -> OverlapChange | None:
    """Apply the overlap of the flags, else of the project file's ``[studio]``; None when neither
    names one (the project's settings, perhaps made in the UI, are left alone). A value that is
    stated on one side only keeps the project's current value on the other."""
    from stancebank.schema.project import find_project

    project = find_project()
    asked: list[str] = []
    for flag, value, key in (
        ("--overlap", overlap, "overlap"),
        ("--overlap-percent", overlap_percent, "overlap_percent"),
    ):
        if value is not None:
            asked.append(flag)
        elif project is not None and getattr(project.studio, key) is not None:
            asked.append(f"[studio] {key} in {project.path}")
    if overlap is None and project is not None:
        overlap = project.studio.overlap
    if overlap_percent is None and project is not None:
        overlap_percent = project.studio.overlap_percent
    if overlap is None and overlap_percent is None:
        return None
    if overlap is None or overlap_percent is None:
        current = client.get_json(f"/api/projects/{project_id}")
        overlap = int(current.get("maximum_annotations", 1)) if overlap is None else overlap
        overlap_percent = (
            int(current.get("overlap_cohort_percentage", 100)) if overlap_percent is None else overlap_percent
        )
    return apply_overlap(client, project_id, overlap, overlap_percent, asked_by=" and ".join(asked))
