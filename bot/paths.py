"""Where the bot's folders are by default: the working directory, else the checkout.

Only defaults live here; the settings (bot/config.py) decide, from GUIDEBOT_* values.
"""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str, configured: str = "") -> Path:
    """knowledge/ or locales/: the configured folder, else ./<name>, else the checkout's."""
    if configured:
        return Path(configured)
    here = Path.cwd() / name
    return here if here.is_dir() else _CHECKOUT / name


def user_cache(xdg_cache_home: str = "") -> Path:
    """Embeddings and trained weights, rebuilt when missing: the user's cache folder."""
    return Path(xdg_cache_home or Path.home() / ".cache") / "guidebot"


def shared_file(*parts: str) -> Path | None:
    """The team's shared spec or facts file, when this is a checkout beside ../shared."""
    for base in (Path.cwd(), _CHECKOUT):
        candidate = base.parent / "shared" / Path(*parts)
        if candidate.is_file():
            return candidate
    return None
