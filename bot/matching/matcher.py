"""From a worker's free text to one of three honest outcomes: answer, clarify or no answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.knowledge.models import LANGS, Lang, OutOfScope, Topic
from bot.matching.danger import signals_danger
from bot.matching.index import LanguageIndex, Signals

Decision = Literal["answer", "clarify", "none"]
EMERGENCY_TOPIC = "emergency"
REJECT = "(out of scope)"  # the reject class's column; never shown as a topic


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds; chosen by benchmarks/calibrate.py, see docs/matching.md."""

    w_example: float = 0.3
    w_keyword: float = 0.4
    w_coverage: float = 0.3
    answer_at: float = 0.5  # top score needed to answer outright
    margin: float = 0.15  # ... and its lead over the runner-up
    clarify_at: float = 0.25  # below this: no answer (unless a clear leader, see floor_at)
    candidate_ratio: float = 0.8  # clarify offers topics scoring at least this share of the best
    min_known: float = 0.67  # a question mostly made of words we never saw is out of scope
    floor_at: float = 0.2  # long situations score low; a clear leader above this still gets offered
    dominance: float = 1.5  # ... when it scores this many times the runner-up


@dataclass(frozen=True, slots=True)
class Match:
    lang: Lang
    decision: Decision
    emergency: bool
    matches: tuple[tuple[str, float], ...] = field(default=())

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.matches)


class Matcher:
    def __init__(
        self, topics: Sequence[Topic], tuning: Tuning | None = None, out_of_scope: OutOfScope | None = None
    ) -> None:
        self.tuning = tuning or Tuning()
        oos = out_of_scope or OutOfScope()
        self.indexes: dict[Lang, LanguageIndex] = {
            lang: LanguageIndex(lang, topics, oos.questions(lang)) for lang in LANGS
        }
        self.topic_ids = [t.id for t in topics] + [REJECT]
        self.has_emergency = EMERGENCY_TOPIC in self.topic_ids

    def detect_language(self, text: str, user_lang: Lang) -> Lang:
        """The user's language unless the question is clearly written in another one."""
        own_known, _ = self.indexes[user_lang].coverage_of(text)
        own_stops = self._stop_hits(text, user_lang)
        best, best_score = user_lang, own_known + own_stops
        for lang in LANGS:
            if lang == user_lang:
                continue
            known, total = self.indexes[lang].coverage_of(text)
            score = known + self._stop_hits(text, lang)
            if score >= best_score + 2 and known >= max(1, total // 2):
                best, best_score = lang, score
        return best

    def _stop_hits(self, text: str, lang: Lang) -> int:
        from bot.matching.normalise import words

        stops = self.indexes[lang].analyzer.stops
        return sum(1 for w in words(text) if w in stops and len(w) > 2)

    def scores(self, signals: Signals) -> np.ndarray:
        t = self.tuning
        return t.w_example * signals.example + t.w_keyword * signals.keyword + t.w_coverage * signals.coverage

    def match(self, text: str, lang: Lang, detect: bool = True) -> Match:
        lang = self.detect_language(text, lang) if detect else lang
        emergency = self.has_emergency and signals_danger(text)
        signals = self.indexes[lang].signals(text)
        scores = self.scores(signals)
        order = np.argsort(-scores)[:5]
        ranked = [(self.topic_ids[i], round(float(scores[i]), 4)) for i in order if scores[i] > 0]
        decision = self.decide(ranked, signals.known_share)
        if ranked and ranked[0][0] == REJECT:
            decision = "none"
        ranked = [r for r in ranked if r[0] != REJECT]
        if emergency:
            ranked = [(EMERGENCY_TOPIC, 1.0)] + [r for r in ranked if r[0] != EMERGENCY_TOPIC]
            decision = "answer"
        return Match(lang, decision, emergency, tuple(ranked[:5]))

    def decide(self, ranked: list[tuple[str, float]], known_share: float) -> Decision:
        t = self.tuning
        if not ranked or known_share < t.min_known:
            return "none"
        best = ranked[0][1]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if best >= t.answer_at and best - runner >= t.margin:
            return "answer"
        if best >= t.clarify_at or (best >= t.floor_at and best >= t.dominance * runner):
            return "clarify"
        return "none"

    def candidates(self, match: Match) -> list[str]:
        """Two or three plausible topics for a clarify reply."""
        if not match.matches:
            return []
        best = match.matches[0][1]
        floor = max(self.tuning.clarify_at * 0.8, best * self.tuning.candidate_ratio)
        picked = [t for t, s in match.matches if s >= floor][:3]
        if len(picked) < 2:
            picked = [t for t, _ in match.matches[:2]]
        return picked
