"""Practice content (knowledge/practice/): scenarios, daily reflections, the managers' checklist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from bot.knowledge.models import _ID, InLanguages, ServiceId, _Frozen
from bot.lang import LANGS

Grade = Literal["good", "partly", "poor"]
CHOICE_MAX = 60  # a button label a phone shows on one or two lines
RUN_LENGTH = 5  # scenarios in one practice run


class Choice(_Frozen):
    text: str = Field(min_length=2, max_length=CHOICE_MAX)
    grade: Grade
    feedback: str = Field(min_length=10, max_length=320)


class ScenarioText(_Frozen):
    situation: str = Field(min_length=20, max_length=500)
    choices: tuple[Choice, ...] = Field(min_length=3, max_length=4)


class Scenario(InLanguages[ScenarioText]):
    id: str = Field(pattern=_ID)
    service: ServiceId
    themes: tuple[str, ...] = Field(min_length=1)
    topic: str

    @model_validator(mode="after")
    def _same_choices_everywhere(self) -> Scenario:
        grades = [c.grade for c in self.en.choices]
        for lang in LANGS:
            if [c.grade for c in self.text(lang).choices] != grades:
                raise ValueError(f"{lang}: the choices must match the English ones, grade for grade")
        if "good" not in grades:
            raise ValueError("at least one choice must be graded good")
        return self


class Reflection(InLanguages[Annotated[str, Field(min_length=10, max_length=300)]]):
    id: str = Field(pattern=_ID)
    topic: str


class CheckText(_Frozen):
    question: str = Field(min_length=10, max_length=200)
    next_step: str = Field(min_length=10, max_length=260)


class CheckItem(InLanguages[CheckText]):
    id: str = Field(pattern=_ID)
    weight: int = Field(ge=1, le=3)
    topic: str


class ScenarioFile(_Frozen):
    scenarios: tuple[Scenario, ...]


class ReflectionFile(_Frozen):
    reflections: tuple[Reflection, ...]


class ChecklistFile(_Frozen):
    checklist: tuple[CheckItem, ...] = Field(min_length=1, max_length=15)


@dataclass(frozen=True)
class Practice:
    scenarios: tuple[Scenario, ...] = ()
    reflections: tuple[Reflection, ...] = ()
    checklist: tuple[CheckItem, ...] = ()
    files: dict[str, Path] = field(default_factory=dict, compare=False)

    def links(self) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
        """(file name, key path, topic id) of every topic a practice item points to."""
        for i, s in enumerate(self.scenarios):
            yield "scenarios.yaml", ("scenarios", i, "topic"), s.topic
        for i, r in enumerate(self.reflections):
            yield "reflections.yaml", ("reflections", i, "topic"), r.topic
        for i, c in enumerate(self.checklist):
            yield "checklist.yaml", ("checklist", i, "topic"), c.topic


MIN_SCENARIOS, MIN_REFLECTIONS = 32, 60
