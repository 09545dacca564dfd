"""Ground-truth stars on the real Label Studio (its free edition has no roles: every member may
star any annotation, her own included). An annotator who stars her own version of an article she
and a co-annotator disagree on does not make it gold; a manager's star does, and the starred
annotation stays its annotator's in agreement."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks
from sbtest.studio_session import Session

from stancebank.export.pseudonym import Pseudonymizer, load_key
from stancebank.export.release import build_release
from stancebank.schema.spec import SPEC
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.pull import pull
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import add_annotators, apply_overlap

pytestmark = pytest.mark.integration

ACTOR = SPEC.role_label("actor")


def test_a_self_starred_annotation_is_no_ground_truth_and_a_managers_star_is(
    studio_client: StudioClient, project_name: str, tmp_path: Path, monkeypatch, caplog
) -> None:
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "ground-truth-key")
    pid = push(studio_client, make_tasks(4), project_name).project.id
    apply_overlap(studio_client, pid, 2, 100)
    suffix = project_name[-6:]
    created, _ = add_annotators(studio_client, [f"maria-{suffix}", f"li-{suffix}"])
    maria, li = (Session(studio_client.url, c.email, c.password) for c in created)
    mine: dict[str, dict[int, int]] = {"maria": {}, "li": {}}  # task id → annotation id
    articles: dict[int, str] = {}
    try:
        # both label every task through "Label All Tasks"; on the first two articles li draws
        # only the actor: a conflict each
        for name, person in (("maria", maria), ("li", li)):
            while (task := person.next_task(pid)) is not None:
                result = task["predictions"][0]["result"]
                if name == "li" and task["data"]["article_id"] in ("art-000000", "art-000001"):
                    result = [
                        r for r in result if r.get("type") == "labels" and r["value"]["labels"] == [ACTOR]
                    ]
                resp = person.annotate(task, result=result)
                assert resp.status_code == 201, resp.text
                mine[name][task["id"]] = resp.json()["id"]
                articles[task["id"]] = task["data"]["article_id"]
        first, second = sorted(t for t, a in articles.items() if a in ("art-000000", "art-000001"))
        # maria stars her own annotation of the first article (Label Studio lets her: 200)
        assert maria.patch_annotation(mine["maria"][first], {"ground_truth": True}).status_code == 200
    finally:
        maria.close()
        li.close()
    # the manager (the API key's account, no annotation of its own) stars li's of the second
    studio_client.patch_json(f"/api/annotations/{mine['li'][second]}/", {"ground_truth": True})

    snapshot = pull(studio_client, project_name, tmp_path / "exports").path
    caplog.set_level(logging.WARNING, logger="stancebank")
    built = build_release([snapshot], "1.0.0", tmp_path / "v1", registry_path=tmp_path / "registry.json")
    # maria's star does not count: the article waits for a reviewer; the manager's star is gold
    assert built.pending_review == [articles[first]]
    assert built.methods["ground_truth"] == 1 and built.methods["conflict"] == 1
    assert built.methods["majority"] == 2
    # and li's starred annotation is still li's in agreement: every article is an annotation pair
    assert (built.agreement.articles, built.agreement.pairs) == (4, 4)
    pseudonym = Pseudonymizer(load_key())
    maria_id = created[0].user_id
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        f"article {articles[first]}: the ground-truth star on {pseudonym(f'ls:{maria_id}')}'s annotation" in w
        and "its own annotator starred it" in w
        for w in warnings
    ), warnings
    # never a name or an e-mail in the log
    for person in created:
        assert not any(person.email in w or person.name in w for w in warnings)
