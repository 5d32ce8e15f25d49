"""Add an example question to a topic file by hand-editing its text (comments and layout stay)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.lang import LANGS
from bot.problems import CommandFailed


def add_example(knowledge: Path, topic: str, lang: str, question: str) -> Path:
    """Appends question to the lang block's `questions:` of topics/<topic>.yaml; returns the file."""
    path = knowledge / "topics" / f"{topic}.yaml"
    if not path.is_file() or lang not in LANGS:
        raise CommandFailed(f"no topic file {path} (or no language {lang!r})")
    lines = path.read_text(encoding="utf-8").splitlines()
    block, at = None, None
    for i, line in enumerate(lines):
        if line[:3] in {f"{code}:" for code in LANGS}:
            block = line[:2]
        elif block == lang and line.startswith("  keywords:"):
            at = i
            break
    if at is None:
        raise CommandFailed(f"{path}: no `keywords:` in its {lang} block to add the question before")
    lines.insert(at, f"    - {json.dumps(' '.join(question.split()), ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
