"""Messages that are only a greeting, thanks, a call for help or a navigation word.

The words are data: each catalog has ``words.<kind>`` (space-separated), so a new language brings
its own, and a message mixing languages still counts. Matching is on folded words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.i18n import Strings
from bot.lang import LANGS
from bot.matching.normalise import fold

Talk = Literal["help", "thanks", "greeting"]
Navigation = Literal["back", "menu"]
FOLLOW_UP_WORDS = 8  # a message this short can lean on the topic just read
TALK: tuple[Talk, ...] = ("help", "thanks", "greeting")  # the first that fits wins
NAVIGATION: tuple[Navigation, ...] = ("back", "menu")
KINDS = (*TALK, *NAVIGATION, "refer")
MAX_WORDS = 5


@dataclass(frozen=True)
class SmallTalk:
    words: dict[str, frozenset[str]]
    # per talk kind: the words such a message may use (its own and greetings), and those it must use
    allowed: dict[str, frozenset[str]] = field(init=False)
    required: dict[str, frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        greeting = self.words["greeting"]
        object.__setattr__(self, "allowed", {k: self.words[k] | greeting for k in TALK})
        required = {k: self.words[k] - greeting for k in TALK} | {"greeting": greeting}
        object.__setattr__(self, "required", required)

    @classmethod
    def from_strings(cls, strings: Strings) -> SmallTalk:
        return cls(
            {
                kind: frozenset(w for lang in LANGS for w in fold(strings.t(lang, f"words.{kind}")).split())
                for kind in KINDS
            }
        )

    def talk(self, text: str) -> Talk | None:
        """A greeting may come with the others ("hi, thanks"); the other kind then wins."""
        tokens = fold(text).split()
        if not tokens or len(tokens) > MAX_WORDS:
            return None
        for kind in TALK:
            if all(t in self.allowed[kind] for t in tokens) and any(t in self.required[kind] for t in tokens):
                return kind
        return None

    def follow_up(self, text: str) -> bool:
        return 0 < len(fold(text).split()) <= FOLLOW_UP_WORDS

    def wants_referrals(self, text: str) -> bool:
        """A short 'which number do I call?' after an answer: that topic's contacts."""
        return self.follow_up(text) and any(t in self.words["refer"] for t in fold(text).split())

    def navigation(self, text: str) -> Navigation | None:
        tokens = fold(text).split()
        if not tokens or len(tokens) > 3:
            return None
        for kind in NAVIGATION:
            if all(t in self.words[kind] for t in tokens):
                return kind
        return None
