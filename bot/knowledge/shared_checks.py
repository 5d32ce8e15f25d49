"""Checks against the team's shared files: the required topics and the verified facts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.loader import KnowledgeBase
from bot.problems import Problem


def _load(path: Path, what: str) -> tuple[Any, Problem | None]:
    """A shared file's data, or the warning that it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    except (OSError, yaml.YAMLError) as exc:
        return None, Problem(path, 1, f"cannot read the {what}: {exc}", "warning")


def check_taxonomy(kb: KnowledgeBase, spec: Path) -> Iterator[Problem]:
    """Every required topic exists, in the section the taxonomy gives it."""
    data, problem = _load(spec, "taxonomy")
    if problem is not None:
        yield problem
        return
    for section, entries in (data or {}).items():
        for entry in entries or []:
            tid = entry.get("id")
            if tid not in kb.topics:
                yield Problem(
                    kb.root / "topics" / f"{tid}.yaml",
                    1,
                    f"required topic {tid!r} ({section}) is missing",
                    "warning",
                )
            elif kb.topics[tid].section != section:
                where = kb.topic_files[tid]
                yield kb.problem_at(where, ("section",), f"the taxonomy puts {tid!r} in {section!r}")


def check_facts_file(kb: KnowledgeBase, facts: Path) -> Iterator[Problem]:
    """The directory says nothing the verified facts file does not say."""
    data, problem = _load(facts, "facts file")
    if problem is not None:
        yield problem
        return
    known = {o["id"]: o for o in data.get("organisations", [])}
    path = kb.root / "referrals.yaml"
    for i, ref in enumerate(kb.referrals.values()):
        fact = known.get(ref.id)
        if fact is None:
            yield kb.problem_at(path, ("referrals", i, "id"), f"{ref.id!r} is not in {facts.name}")
            continue
        if fact.get("confidence") not in ("high", "medium"):
            yield kb.problem_at(
                path, ("referrals", i, "id"), f"{ref.id!r} has confidence {fact.get('confidence')!r}"
            )
        for key in ("phone", "address", "website", "email"):
            if (getattr(ref, key) or None) != (fact.get(key) or None):
                yield kb.problem_at(
                    path, ("referrals", i, key), f"{ref.id}: differs from {facts.name} ({fact.get(key)!r})"
                )
