"""What every settings module reads first: the project's folders, the environment, and whether
SafeCity runs embedded (no ``REDIS_URL``: SQLite, in-process tasks, in-memory channels)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

VAR_DIR = Path(env("SAFECITY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

REDIS_URL = env("REDIS_URL", default="")
EMBEDDED = not REDIS_URL
