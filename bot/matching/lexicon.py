"""The danger lexicon: concept phrases matched on word stems, in order, with bounded gaps.

A linear scan, no regex: a 4,096-character message costs the same whatever its shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.knowledge.models import DangerLexicon
from bot.lang import LANGS, Lang
from bot.matching.normalise import Analyzer, fold

MAX_GAP = 3  # a "*" in a lexicon phrase stands for up to this many words
SLACK = 1  # words that may stand between two words of a phrase


class Lexicon:
    """Concept phrases as stem sequences, indexed by their first stem."""

    def __init__(self, lexicon: DangerLexicon | None) -> None:
        self.analyzers = {lang: Analyzer(lang) for lang in LANGS}
        self.sure = frozenset(lexicon.sure if lexicon else ())
        self._by_first: dict[Lang, dict[str, list[tuple[str, tuple[str | None, ...]]]]] = {}
        for lang in LANGS:
            table: dict[str, list[tuple[str, tuple[str | None, ...]]]] = {}
            for concept, phrases in (lexicon.text(lang) if lexicon else {}).items():
                for phrase in phrases:
                    seq = self.sequence(phrase, lang)
                    if seq and seq[0] is not None:
                        table.setdefault(seq[0], []).append((concept, seq))
            self._by_first[lang] = table

    def sequence(self, phrase: str, lang: Lang) -> tuple[str | None, ...]:
        stem = self.analyzers[lang].stem
        out: list[str | None] = []
        for part in phrase.split():
            out.extend([None] if part == "*" else [stem(w) for w in fold(part).split()])
        return tuple(out)

    def stems(self, text: str, lang: Lang) -> list[str]:
        stem = self.analyzers[lang].stem
        return [stem(w) for w in fold(text).split()]

    def find(self, text: str, langs: Iterable[Lang]) -> tuple[str, str] | None:
        """(concept, phrase stems) of a phrase found in any of langs: a "sure" one if there is one."""
        first: tuple[str, str] | None = None
        for lang in dict.fromkeys(langs):
            table = self._by_first[lang]
            if not table:
                continue
            stems = self.stems(text, lang)
            for i, stem in enumerate(stems):
                for concept, seq in table.get(stem, ()):
                    if _matches(stems, i, seq):
                        hit = concept, " ".join(s or "*" for s in seq)
                        if concept in self.sure:
                            return hit
                        first = first or hit
        return first


def _matches(stems: Sequence[str], start: int, seq: Sequence[str | None]) -> bool:
    """seq matches stems from start. Between two words one other word may stand ("zelfmoord wil
    plegen" for "zelfmoord plegen"); a None (a "*") lets up to MAX_GAP stand. Bounded, so linear."""
    pos = start + 1  # seq[0] is stems[start]
    for k in range(1, len(seq)):
        part = seq[k]
        if part is None:
            continue
        slack = MAX_GAP if seq[k - 1] is None else SLACK
        window = stems[pos : pos + slack + 1]
        if part not in window:
            return False
        pos += window.index(part) + 1
    return True
