"""A person using Label Studio through its web session (not the API key): logged in through the
login form, cookie + CSRF header on writes — what an annotator's browser sends."""

from __future__ import annotations

from typing import Any

import httpx


class Session:
    """A person in a browser: logged in through the login form, cookie + CSRF header on writes."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.web = httpx.Client(base_url=url, timeout=60)
        self.web.get("/user/login/")
        resp = self.web.post(
            "/user/login/",
            data={"email": email, "password": password, "csrfmiddlewaretoken": self.web.cookies["csrftoken"]},
            headers={"Referer": f"{url}/user/login/"},
        )
        self.logged_in = resp.status_code == 302 and "sessionid" in self.web.cookies

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.web.cookies["csrftoken"], "Referer": str(self.web.base_url)}

    def next_task(self, project_id: int) -> dict[str, Any] | None:
        """The next task of "Label All Tasks" (None when there is none left for this person)."""
        resp = self.web.get(f"/api/projects/{project_id}/next")
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        body: dict[str, Any] = resp.json()
        return body

    def annotate(self, task: dict[str, Any], **extra: Any) -> httpx.Response:
        """Submit the task's first prediction as is (or ``result=...``)."""
        payload = {"result": task["predictions"][0]["result"] if task.get("predictions") else [], **extra}
        payload.setdefault("lead_time", 12.5)
        return self.web.post(
            f"/api/tasks/{task['id']}/annotations/?project={task['project']}",
            json=payload,
            headers=self._headers(),
        )

    def patch_annotation(self, annotation_id: int, body: dict[str, Any]) -> httpx.Response:
        """What the labeling screen sends to change a submitted annotation (e.g. its star)."""
        return self.web.patch(f"/api/annotations/{annotation_id}/", json=body, headers=self._headers())

    def close(self) -> None:
        self.web.close()
