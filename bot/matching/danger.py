"""Recognises messages that signal immediate danger, however they are phrased, in the four languages.

Two detectors, OR'ed, because a miss can cost a life and a false alarm costs one tap:
- a classifier: two logistic regressions averaged, on sentence vectors and on character n-grams,
  trained on the curators' danger corpus (knowledge/danger/: danger and calm messages by several
  authors) with every topic's example questions as extra calm messages; fitted when the corpus
  changes, then cached. It reads a message as a whole; a long one (more than LONG_WORDS words)
  also sentence by sentence and in windows, keeping the most alarming piece, so a cue in the
  middle of a long description is not averaged away; the pieces of long calm messages are calm
  training messages too. (Reading short messages in pieces too
  doubled the false alarms on held-out authors at the same recall: a piece loses the "last year"
  or "in the film" that makes its sentence calm.);
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
from bot.matching.lexicon import Lexicon
from bot.matching.ngrams import N_BUCKETS, SIZES, tfidf_rows, weighted

WINDOW = 14  # long sentences are also read in windows of this many words...
STRIDE = 7  # ... starting every this many words
MAX_PIECES = 64  # a 4,096-character paste is read in at most this many pieces (about 450 words)
LONG_WORDS = 35  # a message longer than this is also read in pieces (benchmarks/calibrate_danger.py)
_SENTENCE = re.compile(r"(?<=[.!?;:\n])\s+|\s+[-–—]\s+|\n")
_CLAUSE = re.compile(r"(?<=[.!?;:,\n])\s+|\s+[-–—]\s+|\n")  # for a lexicon cue's own clause


@dataclass(frozen=True, slots=True)
class DangerTuning:
    """Chosen by benchmarks/calibrate_danger.py (leave-one-author-out on the corpus); see docs/matching.md."""

    threshold: float = 0.37  # ensemble probability that raises the alarm on its own
    lexicon_threshold: float = 0.3  # ... and the lower one at which a lexicon phrase confirms it
    piece_threshold: float = 0.8  # ... or that one clause reaches, when a question follows the cue
    c_vectors: float = 4.0  # inverse regularisation of the kernel model on sentence vectors
    c_ngrams: float = 16.0  # ... and of the model on character n-grams
    calm_weight: float = 3.0  # a calm corpus message weighs this many topic example questions
    w_vectors: float = 0.5  # share of the sentence-vector model in the averaged probability


@dataclass(frozen=True, slots=True)
class Verdict:
    danger: bool
    score: float  # classifier probability of the most alarming piece
    cue: str = ""  # "classifier", "lexicon:<concept>", or "topic" (closest to the emergency topic)


def _pieces(text: str, always: bool = False) -> list[tuple[str, str]]:
    """(piece, the piece whose sentence vector stands for it): windows borrow their sentence's.
    A short message is one piece, unless always (then its clauses count as sentences too)."""
    out = [(text, text)]
    if len(text.split()) <= LONG_WORDS and not always:
        return out
    splitter = _CLAUSE if always else _SENTENCE
    sentences = [s for s in splitter.split(text) if s and s.strip()]
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
    """The whole message and, if it is long, its sentences and windows of its long sentences."""
    return [p for p, _ in _pieces(text)]


def read(
    text: str, encoder: Encoder, always: bool = False, known: dict[str, npt.NDArray[np.float32]] | None = None
) -> tuple[list[str], Vectors]:
    """pieces(text) and a sentence vector for each. The encoder is the costly step, so only the
    message and its sentences are encoded (not those in known: already encoded pieces); a window
    uses its sentence's vector (its own character n-grams still count in full)."""
    parts = _pieces(text, always)
    by_owner = dict(known or {})
    owners = [o for o in dict.fromkeys(o for _, o in parts) if o not in by_owner]
    by_owner.update(zip(owners, encoder.encode(owners), strict=True))
    return [p for p, _ in parts], np.stack([by_owner[o] for _, o in parts])


def _encoded(text: str, parts: Sequence[str], vectors: Vectors | None) -> dict[str, npt.NDArray[np.float32]]:
    """The pieces of read(text) that were encoded themselves (a window only borrows a vector)."""
    if vectors is None:
        return {}
    owners = {o for _, o in _pieces(text)}
    return {p: v for p, v in zip(parts, vectors, strict=True) if p in owners}


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

        # A long message is also read in pieces, so the model learns what a calm piece looks like:
        # out of its message, "she just keeps quiet" scored as danger (docs/matching.md, round 6).
        parts = [pair for x in (*calm, *other) if len(x.split()) > LONG_WORDS for pair in _pieces(x)[1:]]
        texts = [*danger, *calm, *other, *(p for p, _ in parts)]
        y = np.r_[np.ones(len(danger)), np.zeros(len(texts) - len(danger))]
        # Both classes weigh the same in total; within the calm class, the corpus's near-misses
        # weigh more than ordinary example questions and pieces.
        calm_mass = t.calm_weight * len(calm) + len(other) + len(parts)
        weights = np.r_[
            np.full(len(danger), calm_mass / len(danger)),
            np.full(len(calm), t.calm_weight),
            np.ones(len(other) + len(parts)),
        ]
        whole = cache.embed([*danger, *calm, *other])
        owners = cache.embed([o for _, o in parts])  # a window borrows its sentence's vector
        vectors = np.vstack([whole, owners]) if parts else whole
        grams, columns, idf = tfidf_rows(texts)
        pin_threads()  # scikit-learn and scipy bring their own BLAS
        # An RBF kernel on the vectors: on held-out authors it raised fewer alarms at the same recall
        # than a linear model (benchmarks/calibrate_danger.py, docs/matching.md).
        by_vectors = SVC(C=t.c_vectors, kernel="rbf", gamma="scale")
        by_vectors.fit(vectors, y, sample_weight=weights)
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
            ex = f.text(lang)
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
            material = [repr(("rbf+pieces", t.c_vectors, t.c_ngrams, t.calm_weight, N_BUCKETS, SIZES))]
            material += [f"d{x}" for x in danger] + [f"c{x}" for x in calm] + [f"o{x}" for x in other]
            arrays = cache.trained(
                "danger", material, lambda: DangerClassifier.fit(cache, danger, calm, other, t)
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
        if self.classifier is not None and text.strip() and (parts is None or vectors is None):
            parts, vectors = read(text, self.cache.encoder)
        score = self.score(text, parts, vectors)
        if score >= self.tuning.threshold:
            return Verdict(True, score, "classifier")
        found = self.lexicon.find(text, langs)
        if found and (
            found[0] in self.lexicon.sure
            or score >= self.tuning.lexicon_threshold
            or self.classifier is None
            or self.clause_score(text, _encoded(text, parts or (), vectors)) >= self.tuning.piece_threshold
        ):
            return Verdict(True, score, f"lexicon:{found[0]}")
        return Verdict(False, score)

    def clause_score(self, text: str, known: dict[str, npt.NDArray[np.float32]] | None = None) -> float:
        """ "He is outside with a knife now, which line should she call": the question dilutes the
        whole; the cue's own clause does not. Read only when the lexicon found a cue; known: the
        pieces already encoded for score (a sentence of a long message is often a clause too)."""
        if self.classifier is None:
            return 0.0
        parts, vectors = read(text, self.cache.encoder, always=True, known=known)
        return (
            float(self.classifier.probabilities(parts[1:], vectors[1:]).max(initial=0.0))
            if len(parts) > 1
            else 0.0
        )
