"""What a button does, as data. Adapters turn these into their own wire format and back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.knowledge.models import ServiceId
from bot.lang import Lang


@dataclass(frozen=True, slots=True)
class OpenMenu:
    service: ServiceId | None = None  # None: the main service menu
    page: int = 0


@dataclass(frozen=True, slots=True)
class OpenAll:
    page: int = 0


Back = OpenMenu | OpenAll  # where a topic opened from a menu page goes back to


Region = Literal["brussels", "flanders", "wallonia"]
REGIONS: tuple[Region, ...] = ("brussels", "flanders", "wallonia")
NATIONAL = ("belgium", "eu")  # cards for these serve every region


@dataclass(frozen=True, slots=True)
class OpenTopic:
    topic: str
    back: Back | None = None  # None: the topic was not opened from a menu page


@dataclass(frozen=True, slots=True)
class ShowReferrals:
    topic: str
    page: int = 0  # the cards come a phone screen at a time
    region: Region | None = None  # only the cards serving this region, and the national ones


@dataclass(frozen=True, slots=True)
class Share:
    topic: str


@dataclass(frozen=True, slots=True)
class SetLanguage:
    lang: Lang


DailyContent = Literal["tips", "reflections", "both"]
DAILY_CONTENTS: tuple[DailyContent, ...] = ("tips", "reflections", "both")


@dataclass(frozen=True, slots=True)
class DailyAt:
    hour: int
    content: DailyContent = "tips"  # what comes each day: a tip, a reflection question, or both


@dataclass(frozen=True, slots=True)
class StopDaily:
    pass


Reason = Literal["not_mine", "not_useful", "wrong"]
REASONS: tuple[Reason, ...] = ("not_mine", "not_useful", "wrong")


@dataclass(frozen=True, slots=True)
class Vote:
    """👍 or 👎 under an answer: counted per topic, nothing about who pressed."""

    topic: str
    up: bool


@dataclass(frozen=True, slots=True)
class WhyNot:
    """The reason given after a 👎."""

    topic: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class SendQuestion:
    """Send the question just asked, scrubbed, to the curators' inbox (the text is in memory only)."""


@dataclass(frozen=True, slots=True)
class ReportCard:
    """A referral card with a wrong number or address; index None: choose the card."""

    topic: str
    index: int | None = None


FeedbackAction = Vote | WhyNot | SendQuestion | ReportCard


@dataclass(frozen=True, slots=True)
class StartPractice:
    service: ServiceId | None = None  # None: a mix of every service


@dataclass(frozen=True, slots=True)
class PracticeStep:
    """Show scenario `step` of the run (choice None), or answer it."""

    run: str  # the run's token: a button of an older run (or of a restarted bot) names another
    step: int
    choice: int | None = None


@dataclass(frozen=True, slots=True)
class StartChecklist:
    pass


@dataclass(frozen=True, slots=True)
class ChecklistStep:
    run: str
    step: int
    answer: int  # 0 no, 1 partly, 2 yes


PracticeAction = StartPractice | PracticeStep | StartChecklist | ChecklistStep
Action = (
    OpenTopic
    | OpenMenu
    | OpenAll
    | ShowReferrals
    | Share
    | SetLanguage
    | DailyAt
    | StopDaily
    | FeedbackAction
    | PracticeAction
)
