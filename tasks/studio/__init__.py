"""Drive a real Label Studio: server lifecycle, project sync, exports.

- `stancebank.tasks.studio.server`: start/stop/status of a local Label Studio (``.venv-studio``),
  clean environment, 0600 credentials outside ``data/``, migrated-database template cache.
- `stancebank.tasks.studio.client`: `StudioClient` from ``LABEL_STUDIO_URL`` +
  ``LABEL_STUDIO_API_KEY`` (legacy token or personal access token) or the local credentials;
  retries with backoff; 401/unreachable errors that name the variable/URL, never the token.
- `stancebank.tasks.studio.sync`: `push` — project with the generated config and instructions,
  drift refused with a diff unless ``update_config``, idempotent import keyed by
  ``data.article_id``.
- `stancebank.tasks.studio.pull`: `pull` — snapshot with annotator ids only, immutable file named
  by UTC time and content hash; `load_export`/`normalise_export` for UI-downloaded exports.
- `stancebank.tasks.studio.annotations`: `import_annotations` — annotations created as
  pseudonymous annotator users (``completed_by``), idempotent per task and annotator.
- `stancebank.tasks.studio.team`: annotator accounts (signup with the invite token, password shown
  once), listing with pseudonyms, deactivation; `apply_overlap` (``maximum_annotations``,
  ``overlap_cohort_percentage``).
- `stancebank.tasks.studio.progress`: `fetch_progress` / `compute_progress` / `render_html` — per
  annotator and per project progress, agreement on the overlap, review backlog, ETA.
- `stancebank.tasks.studio.snapcache`: `current_tasks` — the tasks with their annotations read
  from the task list (the fields `progress` needs, a page read ahead in a thread), kept from the
  last `progress` run (user cache) and updated with the tasks changed since (a filter on
  ``updated_at``); every task read again when the kept ones no longer add up.
- `stancebank.tasks.studio.review`: `send_review` — the conflicting articles of a build into a
  review project; at the next pull + build the reviewer's annotation decides each article's
  conflicting items (starred as ground truth: the whole article).
"""
