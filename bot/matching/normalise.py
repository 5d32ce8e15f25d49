"""Text folding and per-language analysis: accents, case, punctuation, stop words, stems."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from stop_words import get_stop_words

from bot.lang import EXTRA_STOPS, STEMMERS, Lang

MAX_WORDS = 120  # a 4,000-character paste costs no more than a long question
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free: 'Sécurité, SVP!' -> 'securite svp'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


def words(text: str) -> list[str]:
    return fold(text).split()[:MAX_WORDS]


class Analyzer:
    """Turns text of one language into stems, without stop words."""

    def __init__(self, lang: Lang, keep: Iterable[str] = ()) -> None:
        self.lang = lang
        stops = {fold(w) for w in get_stop_words(lang)} | EXTRA_STOPS[lang]
        self.stops = frozenset(w for w in stops if w) - {fold(k) for k in keep}
        self._stemmer = Stemmer.Stemmer(STEMMERS[lang])
        self.stem = lru_cache(maxsize=65536)(self._stem)

    def _stem(self, word: str) -> str:
        stem: str = self._stemmer.stemWord(word)
        return stem

    def content_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in self.stops and (len(w) > 1 or w.isdigit())]

    def stems(self, text: str) -> list[str]:
        return [self.stem(w) for w in self.content_words(text)]
