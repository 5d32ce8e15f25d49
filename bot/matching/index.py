"""Per-language search index over the topics, built once at load.

Three signals per topic, each in 0..1:
- ``example``: best idf-weighted cosine between the question and one example question;
- ``keyword``: how much rare-word evidence the topic's keyword phrases find in the question;
- ``coverage``: the share of the question's information (idf mass) the topic's vocabulary explains.
Scores are computed with numpy over posting lists, so cost grows with the postings of the
question's few words, not with the size of the knowledge base.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.knowledge.models import Topic
from bot.lang import Lang
from bot.matching.normalise import Analyzer, fold

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Signals:
    example: FloatArray
    keyword: FloatArray
    coverage: FloatArray
    known_share: float  # share of the question's content words the index knows


class LanguageIndex:
    def __init__(self, lang: Lang, topics: Sequence[Topic], reject: Sequence[str] = ()) -> None:
        self.lang = lang
        self.topic_ids = [t.id for t in topics]
        # A one-word keyword that a stop list happens to hold ("name", "help") stays meaningful; the
        # little words inside keyword phrases ("de", "to") stay stop words everywhere else.
        keep = {f for t in topics for k in t.text(lang).keywords if len(f := fold(k)) > 2 and " " not in f}
        self.analyzer = Analyzer(lang, keep)
        stem_ids: dict[str, int] = {}
        self.word_to_stem: dict[str, str] = {}

        def sid(stem: str) -> int:
            return stem_ids.setdefault(stem, len(stem_ids))

        def stems_of(text: str) -> list[int]:
            out = []
            for word in self.analyzer.content_words(text):
                stem = self.analyzer.stem(word)
                self.word_to_stem.setdefault(word, stem)
                out.append(sid(stem))
            return out

        example_sets: list[set[int]] = []
        example_topic: list[int] = []
        keyword_sets: list[tuple[int, frozenset[int]]] = []
        topic_docs: list[set[int]] = []
        for ti, topic in enumerate(topics):
            text = topic.text(lang)
            doc: set[int] = set()
            for sentence in (text.title, *text.questions):
                stems = set(stems_of(sentence))
                if stems:
                    example_sets.append(stems)
                    example_topic.append(ti)
                    doc |= stems
            for phrase in text.keywords:
                phrase_stems = frozenset(stems_of(phrase))
                if phrase_stems:
                    keyword_sets.append((ti, phrase_stems))
                    doc |= phrase_stems
            topic_docs.append(doc)
        # The reject class: examples of what we must not answer, scored like one more topic
        # (the last column) but kept out of the document frequencies of real topics.
        self.has_reject = bool(reject)
        if reject:
            reject_doc: set[int] = set()
            for sentence in reject:
                stems = set(stems_of(sentence))
                if stems:
                    example_sets.append(stems)
                    example_topic.append(len(topics))
                    reject_doc |= stems
            topic_docs.append(reject_doc)

        self.stem_ids = stem_ids
        n_topics = max(len(topics), 1)
        df = np.zeros(len(stem_ids))
        for topic_doc in topic_docs[: len(topics)]:
            for stem_id in topic_doc:
                df[stem_id] += 1
        # Rare words weigh more: a word in one topic says far more than one in twenty.
        self.idf: FloatArray = np.log1p(n_topics / np.maximum(df, 1))
        self.unknown_idf = float(math.log1p(n_topics))
        self.n_topics = len(topics) + (1 if reject else 0)
        self.example_topic: IntArray = np.array(example_topic, dtype=np.int64)
        self.example_norm: FloatArray = np.array(
            [math.sqrt(sum(self.idf[s] ** 2 for s in ex)) for ex in example_sets]
        )
        self.example_post = self._postings(example_sets, len(stem_ids))
        self.doc_post = self._postings(topic_docs, len(stem_ids))
        kw_post: dict[int, list[int]] = defaultdict(list)
        for ki, (_, kw_stems) in enumerate(keyword_sets):
            for stem_id in kw_stems:
                kw_post[stem_id].append(ki)
        self.kw_post = {s: np.array(v, dtype=np.int64) for s, v in kw_post.items()}
        self.keyword_sets = keyword_sets
        self.keyword_weight = np.array([sum(self.idf[s] for s in st) for _, st in keyword_sets])
        self.vocabulary = sorted(self.word_to_stem)
        self._fuzzy_cache: dict[str, list[int]] = {}

    @staticmethod
    def _postings(sets: Sequence[set[int]], n_stems: int) -> list[IntArray]:
        post: list[list[int]] = [[] for _ in range(n_stems)]
        for index, stems in enumerate(sets):
            for s in stems:
                post[s].append(index)
        return [np.array(p, dtype=np.int64) for p in post]

    def _resolve(self, word: str) -> list[int]:
        """Stem ids for word: exact, same stem, parts of a compound, or the closest known word."""
        stem = self.word_to_stem.get(word) or self.analyzer.stem(word)
        found = self.stem_ids.get(stem)
        if found is not None:
            return [found]
        if len(word) < 4:
            return []
        if word not in self._fuzzy_cache:
            self._fuzzy_cache[word] = self._split(word) or self._closest(word)
            if len(self._fuzzy_cache) > 50_000:
                self._fuzzy_cache.clear()
        return self._fuzzy_cache[word]

    def _closest(self, word: str) -> list[int]:
        cutoff = 80 if len(word) >= 7 else 84
        hit = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        return [self.stem_ids[self.word_to_stem[hit[0]]]] if hit else []

    def _split(self, word: str) -> list[int]:
        """Compounds ('politiekantoor', 'intakeformulier') as two known words, Dutch style."""
        if len(word) < 8:
            return []
        for cut in range(len(word) - 4, 3, -1):
            head, tail = word[:cut], word[cut:]
            for joint in ("", "s", "e", "en"):
                if joint and not head.endswith(joint):
                    continue
                left = self.stem_ids.get(
                    self.word_to_stem.get(head[: len(head) - len(joint)])
                    or self.analyzer.stem(head[: len(head) - len(joint)])
                )
                right = self.stem_ids.get(self.word_to_stem.get(tail) or self.analyzer.stem(tail))
                if left is not None and right is not None:
                    return [left, right]
        return []

    def coverage_of(self, text: str) -> tuple[int, int]:
        """(known, total) content words: used to tell which language a question is in."""
        content = self.analyzer.content_words(text)
        known = sum(1 for w in content if w in self.word_to_stem)
        return known, len(content)

    def signals(self, text: str) -> Signals:
        content = self.analyzer.content_words(text)
        zeros = np.zeros(self.n_topics)
        if not content:
            return Signals(zeros, zeros, zeros, 0.0)
        query: set[int] = set()
        unknown = 0
        for word in dict.fromkeys(content):
            ids = self._resolve(word)
            if ids:
                query.update(ids)
            else:
                unknown += 1
        known_share = 1 - unknown / len(set(content))
        if not query:
            return Signals(zeros, zeros, zeros, known_share)
        q = np.fromiter(query, dtype=np.int64)
        w2 = self.idf[q] ** 2
        q_norm2 = float(w2.sum()) + unknown * self.unknown_idf**2
        q_norm = math.sqrt(q_norm2)

        # Example similarity: idf-weighted cosine with the best example of each topic.
        idx = [self.example_post[s] for s in q]
        lens = [len(i) for i in idx]
        example = np.zeros(self.n_topics)
        if sum(lens):
            cat = np.concatenate(idx)
            weights = np.repeat(w2, lens)
            dots = np.bincount(cat, weights=weights, minlength=len(self.example_norm))
            hit = np.nonzero(dots)[0]
            cos = dots[hit] / (self.example_norm[hit] * q_norm)
            np.maximum.at(example, self.example_topic[hit], cos)

        # Coverage: share of the question's idf mass that the topic's vocabulary contains.
        didx = [self.doc_post[s] for s in q]
        dl = [len(i) for i in didx]
        coverage = zeros.copy()
        if sum(dl):
            coverage = (
                np.bincount(np.concatenate(didx), weights=np.repeat(w2, dl), minlength=self.n_topics)
                / q_norm2
            )

        # Keywords: a phrase counts when all its stems are in the question.
        keyword = zeros.copy()
        seen: set[int] = set()
        for s in q:
            for ki in self.kw_post.get(int(s), ()):
                ki = int(ki)
                if ki in seen:
                    continue
                seen.add(ki)
                ti, stems = self.keyword_sets[ki]
                if stems <= query:
                    keyword[ti] += self.keyword_weight[ki]
        # Saturates: two rare keywords are strong evidence, ten are not five times stronger.
        keyword = 1 - np.exp(-keyword / (2 * self.unknown_idf))
        return Signals(example, keyword, coverage, known_share)
