"""A curator-facing problem: a file, a line and what is wrong there."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "info"]
_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Problem:
    file: Path
    line: int
    message: str
    severity: Severity = field(default="error", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


def by_position(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by file and line, as a curator fixes them."""
    return sorted(problems, key=lambda p: (_RANK[p.severity], str(p.file), p.line, p.message))


class KnowledgeError(Exception):
    """Knowledge or locales could not be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem], advice: str = "fix them, then run `guidebot check`.") -> None:
        self.problems = by_position(problems)
        self.advice = advice
        super().__init__("\n".join(str(p) for p in self.problems))


class CommandFailed(Exception):
    """A command could not do its job (exit code 1); the message is one line for the user."""
