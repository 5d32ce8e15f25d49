"""Where knowledge/ and locales/ live: the environment, the working directory, or the checkout."""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str, env: str) -> Path:
    if value := os.environ.get(env):
        return Path(value)
    here = Path.cwd() / name
    return here if here.is_dir() else _CHECKOUT / name


def knowledge_dir() -> Path:
    return data_dir("knowledge", "GUIDEBOT_KNOWLEDGE")


def locales_dir() -> Path:
    return data_dir("locales", "GUIDEBOT_LOCALES")


def shared_file(*parts: str) -> Path | None:
    """The team's shared spec or facts file, when this is a checkout beside ../shared."""
    for base in (Path.cwd(), _CHECKOUT):
        candidate = base.parent / "shared" / Path(*parts)
        if candidate.is_file():
            return candidate
    return None


def cache_dir() -> Path:
    """Embeddings and trained weights, rebuilt when missing: GUIDEBOT_CACHE or the user's cache folder."""
    if value := os.environ.get("GUIDEBOT_CACHE"):
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guidebot"
