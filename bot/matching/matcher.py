"""From a worker's free text to one of three honest outcomes: answer, clarify or no answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import DangerFile, DangerLexicon, OutOfScope, Topic
from bot.lang import LANGS, Lang
from bot.matching.danger import DangerDetector, DangerTuning, Verdict, read
from bot.matching.encoder import EmbeddingCache, default_encoder
from bot.matching.examples import examples
from bot.matching.index import LanguageIndex, Signals
from bot.matching.intent import IntentClassifier
from bot.matching.semantic import SemanticIndex

Decision = Literal["answer", "clarify", "none"]
EMERGENCY_TOPIC = "emergency"
REJECT = "(out of scope)"  # the reject class's column; never shown as a topic


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds; chosen by benchmarks/calibrate.py, see docs/matching.md."""

    w_example: float = 0.3
    w_keyword: float = 0.4
    w_coverage: float = 0.3
    w_semantic: float = 0.3  # share of the semantic signal (nearest example) in the final score
    w_intent: float = 0.4  # share of the trained intent classifier's probability (the rest: lexical)
    semantic_floor: float = 0.3  # a cosine at or below this is no evidence at all
    semantic_sure: float = 0.7  # a neighbour this close overrides the unknown-words rule
    answer_at: float = 0.3  # top score needed to answer outright
    margin: float = 0.25  # ... and its lead over the runner-up
    clarify_at: float = 0.2  # below this: no answer
    candidate_ratio: float = 0.8  # clarify offers topics scoring at least this share of the best
    min_known: float = 0.34  # a question mostly made of words we never saw is out of scope


@dataclass(frozen=True, slots=True)
class Match:
    lang: Lang
    decision: Decision
    emergency: bool
    matches: tuple[tuple[str, float], ...] = field(default=())
    verdict: Verdict | None = None

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.matches)


class Matcher:
    def __init__(
        self,
        topics: Sequence[Topic],
        tuning: Tuning | None = None,
        out_of_scope: OutOfScope | None = None,
        *,
        cache: EmbeddingCache | None = None,
        danger: Sequence[DangerFile] = (),
        lexicon: DangerLexicon | None = None,
        danger_tuning: DangerTuning | None = None,
    ) -> None:
        self.tuning = tuning or Tuning()
        oos = out_of_scope or OutOfScope.none()
        self.cache = cache or EmbeddingCache(default_encoder(), None)
        self.indexes: dict[Lang, LanguageIndex] = {
            lang: LanguageIndex(lang, topics, oos.text(lang)) for lang in LANGS
        }
        known = examples(topics, {lang: oos.text(lang) for lang in LANGS})
        self.semantic = SemanticIndex(self.cache, known)
        self.intent = IntentClassifier(self.cache, known)
        self.topic_ids = [t.id for t in topics] + [REJECT]
        self.has_emergency = EMERGENCY_TOPIC in self.topic_ids
        self.danger = DangerDetector(self.cache, danger, lexicon, calm_questions(topics, oos), danger_tuning)

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

    def scores(self, signals: Signals, semantic: np.ndarray, intent: np.ndarray) -> np.ndarray:
        t = self.tuning
        lexical = (
            t.w_example * signals.example + t.w_keyword * signals.keyword + t.w_coverage * signals.coverage
        )
        meaning = np.clip((semantic - t.semantic_floor) / (1 - t.semantic_floor), 0.0, 1.0)
        w_lex = 1 - t.w_semantic - t.w_intent
        out: np.ndarray = w_lex * lexical + t.w_semantic * meaning + t.w_intent * intent
        return out

    def match(self, text: str, lang: Lang, detect: bool = True) -> Match:
        asked = lang
        lang = self.detect_language(text, lang) if detect else lang
        # One encoder call for everything: the message and, for danger, its sentences and windows.
        parts, vectors = read(text, self.cache.encoder)
        vector = vectors[0]
        verdict = self.danger.check(text, (asked, lang), parts, vectors) if self.has_emergency else None
        emergency = bool(verdict and verdict.danger)
        signals = self.indexes[lang].signals(text)
        semantic = self.semantic.similarity(vector, lang)
        intent = self.intent.probabilities(text, vector)
        scores = self.scores(signals, semantic, intent)
        order = np.argsort(-scores)[:6]
        ranked = [(self.topic_ids[i], round(float(scores[i]), 4)) for i in order if scores[i] > 0]
        known = (
            signals.known_share if float(semantic[:-1].max(initial=0.0)) < self.tuning.semantic_sure else 1.0
        )
        decision = self.decide(ranked, known)
        if (ranked and ranked[0][0] == REJECT) or (len(intent) and int(intent.argmax()) == len(intent) - 1):
            decision = "none"  # out of scope by the blend, or by the classifier alone
        ranked = [r for r in ranked if r[0] != REJECT]
        score = verdict.score if verdict else 0.0
        if (
            not emergency
            and ranked
            and ranked[0][0] == EMERGENCY_TOPIC
            and (
                decision == "answer"
                or (decision == "clarify" and score >= self.danger.tuning.lexicon_threshold)
            )
        ):
            # closest to the emergency topic itself: the numbers, not a "did you mean"
            emergency = True
            verdict = Verdict(True, score, "topic")
        if emergency:
            ranked = [(EMERGENCY_TOPIC, 1.0)] + [r for r in ranked if r[0] != EMERGENCY_TOPIC]
            decision = "answer"
        return Match(lang, decision, emergency, tuple(ranked[:5]), verdict)

    def decide(self, ranked: list[tuple[str, float]], known_share: float) -> Decision:
        t = self.tuning
        if not ranked or known_share < t.min_known:
            return "none"
        best = ranked[0][1]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if best >= t.answer_at and best - runner >= t.margin:
            return "answer"
        if best >= t.clarify_at:
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


def calm_questions(topics: Sequence[Topic], out_of_scope: OutOfScope) -> list[str]:
    """Example questions of ordinary topics are calm messages too: the danger classifier learns
    that a question about pronouns or a referral is no alarm, whatever words it shares with one."""
    return [
        q
        for t in topics
        if t.id != EMERGENCY_TOPIC
        for lang in LANGS
        for q in (t.text(lang).title, *t.text(lang).questions)
    ] + [q for lang in LANGS for q in out_of_scope.text(lang)]


def build_matcher(
    kb: KnowledgeBase, tuning: Tuning | None = None, cache: EmbeddingCache | None = None
) -> Matcher:
    """The matcher for a loaded knowledge base, its vectors cached under the user's cache folder."""
    if cache is None:
        from bot.config import Settings

        cache = EmbeddingCache(default_encoder(), Settings.from_env().cache)
    matcher = Matcher(
        list(kb.topics.values()), tuning, kb.out_of_scope, cache=cache, danger=kb.danger, lexicon=kb.lexicon
    )
    cache.encoder.encode(["warm-up"])  # loads the weights now, not on the first worker's question
    return matcher
