"""Telegram's HTML subset, the one definition used by the core, the adapters and `check`."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = ("b", "i")
_TAGS = "|".join(ALLOWED_TAGS)
_ESCAPED_TAG = re.compile(rf"&lt;(/?)({_TAGS})&gt;")
_TAG = re.compile(rf"</?({_TAGS})>")


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def safe_html(text: str) -> str:
    """Escape curated text, then let only the allowed tags through."""
    return _ESCAPED_TAG.sub(r"<\1\2>", escape(text))


def plain_text(markup: str) -> str:
    """Our HTML subset to plain text, for the console and inline previews."""
    return html.unescape(_TAG.sub("", markup))


def bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def italic(markup: str) -> str:
    """Wraps markup that is already safe."""
    return f"<i>{markup}</i>"
