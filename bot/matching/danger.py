"""Recognises messages that signal immediate danger, however they are phrased, in the four languages.

Two detectors, OR'ed, because a miss can cost a life and a false alarm costs one tap:
- a classifier: two logistic regressions averaged, on sentence vectors and on character n-grams,
  trained on the curators' danger corpus (knowledge/danger/: danger and calm messages by several
  authors) with every topic's example questions as extra calm messages; fitted when the corpus
  changes, then cached. It reads the whole message, each sentence and windows of long ones, and
  keeps the most alarming piece, so a cue in the middle of a long description is not averaged away;
- a lexicon of concept phrases (knowledge/danger-lexicon.yaml) matched on word stems: methods,
  weapons, medical signs, imminence. A phrase of a "sure" concept (an explicit intent to die or to
  kill) alarms on its own; the others need the classifier not to be all but sure the text is calm.
  Matching is a linear scan with bounded gaps, no regex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.knowledge.models import DangerFile, DangerLexicon
from bot.lang import LANGS, Lang
from bot.matching.encoder import EmbeddingCache, Encoder, Vectors, pin_threads
from bot.matching.ngrams import N_BUCKETS, SIZES, tfidf_rows, weighted
from bot.matching.normalise import Analyzer, fold

MAX_GAP = 3  # a "*" in a lexicon phrase stands for up to this many words
SLACK = 1  # words that may stand between two words of a phrase
WINDOW = 14  # long sentences are also read in windows of this many words...
STRIDE = 7  # ... starting every this many words
MAX_PIECES = 64  # a 4,096-character paste is read in at most this many pieces (about 450 words)
_SENTENCE = re.compile(r"(?<=[.!?;:\n])\s+|\s+[-–—]\s+|\n")


@dataclass(frozen=True, slots=True)
class DangerTuning:
    """Chosen by benchmarks/calibrate_danger.py (leave-one-author-out on the corpus); see docs/matching.md."""

    threshold: float = 0.53  # ensemble probability that raises the alarm on its own
    lexicon_threshold: float = 0.1  # ... and the lower one at which a lexicon phrase confirms it
    c_vectors: float = 4.0  # inverse regularisation of the kernel model on sentence vectors
    c_ngrams: float = 16.0  # ... and of the model on character n-grams
    calm_weight: float = 3.0  # a calm corpus message weighs this many topic example questions
    w_vectors: float = 0.5  # share of the sentence-vector model in the averaged probability


@dataclass(frozen=True, slots=True)
class Verdict:
    danger: bool
    score: float  # classifier probability of the most alarming piece
    cue: str = ""  # "classifier", "lexicon:<concept>", or "topic" (closest to the emergency topic)


def _pieces(text: str) -> list[tuple[str, str]]:
    """(piece, the piece whose sentence vector stands for it): windows borrow their sentence's."""
    out = [(text, text)]
    sentences = [s for s in _SENTENCE.split(text) if s and s.strip()]
    for sentence in sentences:
        words = sentence.split()
        own_piece = len(sentences) > 1 and len(words) >= 3
        owner = sentence if own_piece else text
        if own_piece:
            out.append((sentence, sentence))
        if len(words) > WINDOW:
            out.extend(
                (" ".join(words[i : i + WINDOW]), owner) for i in range(0, len(words) - STRIDE, STRIDE)
            )
    return list(dict(out).items())[:MAX_PIECES]


def pieces(text: str) -> list[str]:
    """The whole message, its sentences, and windows of its long sentences."""
    return [p for p, _ in _pieces(text)]


def read(text: str, encoder: Encoder) -> tuple[list[str], Vectors]:
    """pieces(text) and a sentence vector for each. The encoder is the costly step, so only the
    message and its sentences are encoded; a window uses its sentence's vector (its own
    character n-grams still count in full)."""
    parts = _pieces(text)
    owners = list(dict.fromkeys(o for _, o in parts))
    by_owner = dict(zip(owners, encoder.encode(owners), strict=True))
    return [p for p, _ in parts], np.stack([by_owner[o] for _, o in parts])


class Lexicon:
    """Concept phrases as stem sequences, indexed by their first stem."""

    def __init__(self, lexicon: DangerLexicon | None) -> None:
        self.analyzers = {lang: Analyzer(lang) for lang in LANGS}
        self.sure = frozenset(lexicon.sure if lexicon else ())
        self._by_first: dict[Lang, dict[str, list[tuple[str, tuple[str | None, ...]]]]] = {}
        for lang in LANGS:
            table: dict[str, list[tuple[str, tuple[str | None, ...]]]] = {}
            for concept, phrases in (lexicon.concepts(lang) if lexicon else {}).items():
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


class DangerClassifier:
    """Two logistic regressions, averaged: one on sentence vectors (meaning, across languages), one
    on character n-grams of folded text (exact cues, robust to typos and missing accents).

    Fitted with scikit-learn when the corpus changes; the weights are cached, so a normal start
    reads five arrays and scores with numpy alone."""

    def __init__(self, arrays: dict[str, npt.NDArray[Any]], w_vectors: float) -> None:
        self.mix = w_vectors
        self.arrays = arrays  # as fitted (benchmarks reuse them for scaled knowledge)
        self.support, self.dual = arrays["support"].astype(np.float64), arrays["dual"]
        self.support_norms = (self.support**2).sum(axis=1)
        self.gamma = float(arrays["gamma"][0])
        self.w_ngrams, self.idf = arrays["w_ngrams"], arrays["idf"]
        self.columns = arrays["columns"]
        self.b_vectors, self.b_ngrams = (float(b) for b in arrays["bias"])

    @staticmethod
    def fit(
        cache: EmbeddingCache,
        danger: Sequence[str],
        calm: Sequence[str],
        other: Sequence[str],
        t: DangerTuning,
    ) -> dict[str, npt.NDArray[Any]]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import SVC

        texts = [*danger, *calm, *other]
        y = np.r_[np.ones(len(danger)), np.zeros(len(calm) + len(other))]
        # Both classes weigh the same in total; within the calm class, the corpus's near-misses
        # weigh more than ordinary example questions.
        calm_mass = t.calm_weight * len(calm) + len(other)
        weights = np.r_[
            np.full(len(danger), calm_mass / len(danger)),
            np.full(len(calm), t.calm_weight),
            np.ones(len(other)),
        ]
        grams, columns, idf = tfidf_rows(texts)
        pin_threads()  # scikit-learn and scipy bring their own BLAS
        # An RBF kernel on the vectors: on held-out authors it raised fewer alarms at the same recall
        # than a linear model (benchmarks/calibrate_danger.py, docs/matching.md).
        by_vectors = SVC(C=t.c_vectors, kernel="rbf", gamma="scale")
        by_vectors.fit(cache.embed(texts), y, sample_weight=weights)
        by_ngrams = LogisticRegression(C=t.c_ngrams, max_iter=3000)
        by_ngrams.fit(grams, y, sample_weight=weights)
        return {
            "support": by_vectors.support_vectors_.astype(np.float32),
            "dual": by_vectors.dual_coef_[0].astype(np.float64),
            "gamma": np.array([by_vectors._gamma], dtype=np.float64),
            "w_ngrams": by_ngrams.coef_[0].astype(np.float64),
            "idf": idf.astype(np.float64),
            "columns": columns,
            "bias": np.array([by_vectors.intercept_[0], by_ngrams.intercept_[0]], dtype=np.float64),
        }

    def _ngram_logit(self, text: str) -> float:
        at, vals = weighted(text, self.columns, self.idf)
        return float(vals @ self.w_ngrams[at]) + self.b_ngrams

    def probabilities(self, texts: Sequence[str], vectors: Vectors) -> npt.NDArray[np.float64]:
        """Danger probability per text, given its sentence vector (see read)."""
        x = vectors.astype(np.float64)
        distances = self.support_norms[None, :] + (x**2).sum(axis=1)[:, None] - 2 * (x @ self.support.T)
        # twice the kernel decision, so that its +-1 margin maps to about 12% / 88%
        z_vectors = 2 * (np.exp(-self.gamma * np.maximum(distances, 0)) @ self.dual + self.b_vectors)
        z_ngrams = np.array([self._ngram_logit(t) for t in texts])
        out: npt.NDArray[np.float64] = self.mix * _sigmoid(z_vectors) + (1 - self.mix) * _sigmoid(z_ngrams)
        return out


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def corpus(files: Sequence[DangerFile], exclude_author: str | None = None) -> tuple[list[str], list[str]]:
    """(danger, calm) messages of every language, optionally without one author (for validation)."""
    danger: list[str] = []
    calm: list[str] = []
    for f in files:
        if f.author == exclude_author:
            continue
        for lang in LANGS:
            ex = f.examples(lang)
            danger.extend(ex.danger)
            calm.extend(ex.calm)
    return danger, calm


class DangerDetector:
    def __init__(
        self,
        cache: EmbeddingCache,
        files: Sequence[DangerFile],
        lexicon: DangerLexicon | None,
        other_calm: Sequence[str] = (),
        tuning: DangerTuning | None = None,
        exclude_author: str | None = None,
    ) -> None:
        self.cache = cache
        self.tuning = tuning or DangerTuning()
        self.lexicon = Lexicon(lexicon)
        danger, calm = corpus(files, exclude_author)
        other = list(other_calm)
        self.classifier: DangerClassifier | None = None
        if danger and calm:
            t = self.tuning
            material = [repr(("rbf", t.c_vectors, t.c_ngrams, t.calm_weight, N_BUCKETS, SIZES))]
            material += [f"d{x}" for x in danger] + [f"c{x}" for x in calm] + [f"o{x}" for x in other]
            arrays = cache.trained(
                "danger", material, lambda _: DangerClassifier.fit(cache, danger, calm, other, t)
            )
            self.classifier = DangerClassifier(arrays, t.w_vectors)

    def score(self, text: str, parts: Sequence[str] | None = None, vectors: Vectors | None = None) -> float:
        """The most alarming piece's probability; parts and vectors: pieces(text) and their vectors."""
        if self.classifier is None or not text.strip():
            return 0.0
        if parts is None or vectors is None:
            parts, vectors = read(text, self.cache.encoder)
        return float(self.classifier.probabilities(parts, vectors).max())

    def check(
        self,
        text: str,
        langs: Iterable[Lang],
        parts: Sequence[str] | None = None,
        vectors: Vectors | None = None,
    ) -> Verdict:
        score = self.score(text, parts, vectors)
        if score >= self.tuning.threshold:
            return Verdict(True, score, "classifier")
        found = self.lexicon.find(text, langs)
        if found and (
            found[0] in self.lexicon.sure or score >= self.tuning.lexicon_threshold or self.classifier is None
        ):
            return Verdict(True, score, f"lexicon:{found[0]}")
        return Verdict(False, score)
