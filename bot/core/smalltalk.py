"""Messages that are only a greeting, thanks, a call for help or a navigation word.

The words are data: each catalog has ``words.<kind>`` (space-separated), so a new language brings
its own, and a message mixing languages still counts. Matching is on folded words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import Strings
from bot.lang import LANGS
from bot.matching.normalise import fold

Talk = Literal["help", "thanks", "greeting"]
Navigation = Literal["back", "menu"]
TALK: tuple[Talk, ...] = ("help", "thanks", "greeting")  # the first that fits wins
NAVIGATION: tuple[Navigation, ...] = ("back", "menu")
KINDS = (*TALK, *NAVIGATION)
MAX_WORDS = 5


@dataclass(frozen=True)
class SmallTalk:
    words: dict[str, frozenset[str]]

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
        greeting = self.words["greeting"]
        for kind in TALK:
            vocab = self.words[kind] | greeting
            specific = self.words[kind] - (frozenset() if kind == "greeting" else greeting)
            if all(t in vocab for t in tokens) and any(t in specific for t in tokens):
                return kind
        return None

    def navigation(self, text: str) -> Navigation | None:
        tokens = fold(text).split()
        if not tokens or len(tokens) > 3:
            return None
        for kind in NAVIGATION:
            if all(t in self.words[kind] for t in tokens):
                return kind
        return None
