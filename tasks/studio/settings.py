"""Names and defaults of the studio stage that the CLI needs at start-up (a light module: the
client and sync modules import the Label Studio SDK and httpx, which load only when a command runs)."""

from __future__ import annotations

URL_ENV = "LABEL_STUDIO_URL"
"""Environment variable with the Label Studio URL."""
KEY_ENV = "LABEL_STUDIO_API_KEY"
"""Environment variable with the API key (legacy token or personal access token)."""
DEFAULT_BATCH = 500
"""Tasks per import request in ``stancebank studio push``."""
