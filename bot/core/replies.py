"""What the core is given (Input) and what it answers (Reply, with effects for the adapter)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.core.actions import Action, DailyContent
from bot.lang import Lang
from bot.matching.matcher import Decision, Match

# ---------------------------------------------------------------- effects: what an adapter must do


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Send this chat a tip every day at `hour` (Brussels time), in `lang`."""

    hour: int
    lang: Lang
    content: DailyContent = "tips"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    pass


@dataclass(frozen=True, slots=True)
class RememberLanguage:
    """Answer this chat in `lang` from now on (memory only; a subscription's language too)."""

    lang: Lang


@dataclass(frozen=True, slots=True)
class Forget:
    """Erase everything held about this chat."""


# The anonymous daily counts (bot/stats.py): what happened, never to whom.
CountEvent = Literal[
    "shown",  # a topic's answer was shown (typed, pressed, or from a menu: then with its service)
    "answered",  # a typed question answered directly
    "clarified",  # ... answered with two or three choices
    "unanswered",  # ... answered honestly with no answer
    "emergency",  # the emergency numbers were shown for a typed message
    "referrals",  # a referral page was opened
    "shared",  # an answer was shared (forward or inline)
    "tip_sent",  # a daily tip was delivered
    "printed",  # a pocket guide was generated
    "vote_up",
    "vote_down",
    "not_mine",  # 👎 reasons
    "not_useful",
    "wrong",
    "card_wrong",  # a referral card reported wrong (topic: the card id)
    "question_sent",  # an unanswered question sent to the inbox
    "practice_started",  # a practice run (service: the one chosen, "" a mix)
    "practice_finished",
    "checklist_finished",
]
COUNT_EVENTS: tuple[CountEvent, ...] = CountEvent.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Count:
    """Add one to today's anonymous count of `event`: no chat, no text, no time finer than a day."""

    event: CountEvent
    topic: str = ""
    service: str = ""


@dataclass(frozen=True, slots=True)
class StoreQuestion:
    """Keep this unanswered question, already scrubbed, for the curators (90 days)."""

    text: str


@dataclass(frozen=True, slots=True)
class Run:
    """A practice run or a checklist in progress: memory only, for one conversation, 30 minutes."""

    token: str
    kind: Literal["practice", "checklist"]
    service: str  # "" for a mix
    items: tuple[int, ...]  # the scenarios of a practice run (indices), or the checklist's questions
    answers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class KeepRun:
    run: Run


@dataclass(frozen=True, slots=True)
class EndRun:
    pass


Effect = Subscribe | Unsubscribe | RememberLanguage | Forget | Count | StoreQuestion | KeepRun | EndRun

# ---------------------------------------------------------------- input and reply

ReplyKind = Literal[
    "answer",
    "clarify",
    "none",
    "menu",
    "emergency",
    "greeting",
    "referrals",
    "tip",
    "info",
    "expired",
    "share",
    "practice",
]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action


@dataclass(frozen=True, slots=True)
class Reply:
    html: str  # Telegram's HTML subset (bot/core/markup.py)
    lang: Lang
    kind: ReplyKind
    rows: tuple[tuple[Button, ...], ...] = ()
    topic_id: str | None = None
    match: Match | None = None
    effects: tuple[Effect, ...] = ()
    back: Action | None = None  # where "back" leads from this screen (typed or pressed)
    fresh: bool = False  # a pressed button's answer comes as a new message: the one read stays above

    @property
    def decision(self) -> Decision:
        """What the bot did with a question: small talk and navigation count as no answer."""
        return self.match.decision if self.match is not None and self.kind != "greeting" else "none"

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]

    def but(self, **changes: object) -> Reply:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Input:
    """One thing a person did: typed text, a command, or a pressed button.

    The adapter adds what only it knows: the chat's daily-tip hour (for /daily and /stop) and the
    screen "back" returns to.
    """

    lang: Lang
    text: str = ""
    command: str | None = None  # "start", "help"... without the slash
    action: Action | None = None  # a pressed button, or the deep link of /start
    detect_language: bool = True
    subscribed_hour: int | None = None
    back: Action | None = None
    last_topic: str | None = None  # the topic this chat saw last (memory only, 30 minutes): follow-ups
    asked: str | None = None  # the last question typed (memory only, 30 minutes): "send it anonymously"
    run: Run | None = None  # the practice run or checklist in progress (memory only, 30 minutes)
