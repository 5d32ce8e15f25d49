"""`check` for the practice files: links to topics, unique ids, enough of each kind."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import SERVICE_IDS
from bot.knowledge.practice import MIN_REFLECTIONS, MIN_SCENARIOS, RUN_LENGTH
from bot.problems import Problem


def check_practice(kb: KnowledgeBase) -> Iterator[Problem]:
    practice = kb.practice
    folder = kb.root / "practice"
    for name, key, topic in practice.links():
        if topic not in kb.topics:
            yield kb.problem_at(folder / name, key, f"no topic {topic!r}")
    for name, ids in (
        ("scenarios", [s.id for s in practice.scenarios]),
        ("reflections", [r.id for r in practice.reflections]),
        ("checklist", [c.id for c in practice.checklist]),
    ):
        for i, item_id in enumerate(ids):
            if item_id in ids[:i]:
                yield kb.problem_at(folder / f"{name}.yaml", (name, i, "id"), f"{item_id!r} twice")
    if len(practice.scenarios) < MIN_SCENARIOS:
        yield Problem(
            folder / "scenarios.yaml",
            1,
            f"{len(practice.scenarios)} scenarios; at least {MIN_SCENARIOS}",
            "warning",
        )
    if len(practice.reflections) < MIN_REFLECTIONS:
        yield Problem(
            folder / "reflections.yaml",
            1,
            f"{len(practice.reflections)} reflections; at least {MIN_REFLECTIONS}",
            "warning",
        )
    per_service = Counter(s.service for s in practice.scenarios)
    for service in SERVICE_IDS:
        if practice.scenarios and per_service[service] < RUN_LENGTH:
            yield Problem(
                folder / "scenarios.yaml",
                1,
                f"{service}: {per_service[service]} scenarios; a run needs {RUN_LENGTH}",
                "warning",
            )
