"""The semantic signal: how close a question's meaning is to each topic's example questions.

Every title and example question of every language is one vector (cached on disk). A question is
compared with all of them: examples in its own language count fully, examples written in the
three other languages count a little less (the encoder is multilingual, but same-language
neighbours are more reliable). A topic's signal is its best neighbour's cosine.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.lang import LANGS, Lang
from bot.matching.encoder import EmbeddingCache, Vectors
from bot.matching.examples import Examples

FloatArray = npt.NDArray[np.float64]
CROSS_LANGUAGE = 0.9  # weight of a neighbour written in another language


class SemanticIndex:
    def __init__(self, cache: EmbeddingCache, known: Examples) -> None:
        self.n_columns = known.n_columns
        # Sorted by column, so one maximum.reduceat gives every column's best neighbour.
        order = np.argsort(np.array(known.columns, dtype=np.int64), kind="stable")
        self.labels = np.array(known.columns, dtype=np.int64)[order]
        self.vectors: Vectors = (
            cache.embed(known.texts)[order] if known.texts else np.zeros((0, cache.encoder.dim), np.float32)
        )
        written_in = np.array(known.langs, dtype=np.int64)[order]
        self.weights = {
            lang: np.where(written_in == i, 1.0, CROSS_LANGUAGE).astype(np.float32)
            for i, lang in enumerate(LANGS)
        }
        self.columns, self.starts = np.unique(self.labels, return_index=True)

    def similarity(self, query: Vectors, lang: Lang) -> FloatArray:
        """Per column (topics, then reject), the best weighted cosine of one of its examples."""
        out = np.zeros(self.n_columns)
        if not len(self.vectors):
            return out
        cos = (self.vectors @ query) * self.weights[lang]
        out[self.columns] = np.maximum.reduceat(cos, self.starts)
        clipped: FloatArray = np.clip(out, 0.0, 1.0)
        return clipped
