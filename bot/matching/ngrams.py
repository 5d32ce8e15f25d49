"""Hashed n-grams with tf-idf weights: the exact-wording views the trained models share.

Characters: each folded word is padded with spaces and cut into 3- to 5-grams ("overdose" shares
most of its grams with "overdosed" and "ovrdose"). Words: the folded words and word pairs ("coming
out", "police trust"), which carry what a word means next to its neighbour. Both are hashed into
a fixed space, so no vocabulary is stored and a model keeps only the columns its texts used.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from bot.matching.normalise import MAX_WORDS, fold

N_BUCKETS = 1 << 22
SIZES = (3, 4, 5)


@lru_cache(maxsize=4096)  # one message is read by the danger and the intent models: cut it once
def ngrams(text: str) -> dict[int, float]:
    """Hashed n-gram -> 1 + log(count). The dict is shared: never modify it."""
    counts: dict[int, int] = {}
    for word in fold(text).split()[:MAX_WORDS]:
        padded = f" {word} "
        for n in SIZES:
            for i in range(max(len(padded) - n + 1, 1)):
                h = zlib.crc32(padded[i : i + n].encode()) % N_BUCKETS
                counts[h] = counts.get(h, 0) + 1
    return {h: 1.0 + math.log(c) for h, c in counts.items()}


@lru_cache(maxsize=4096)
def word_grams(text: str) -> dict[int, float]:
    """Hashed word and word pair -> 1 + log(count). The dict is shared: never modify it."""
    folded = fold(text).split()[:MAX_WORDS]
    counts: dict[int, int] = {}
    for token in [*folded, *(f"{a} {b}" for a, b in itertools.pairwise(folded))]:
        h = zlib.crc32(f"w:{token}".encode()) % N_BUCKETS
        counts[h] = counts.get(h, 0) + 1
    return {h: 1.0 + math.log(c) for h, c in counts.items()}


View = Callable[[str], dict[int, float]]


def tfidf_rows(
    texts: Sequence[str], view: View = ngrams
) -> tuple[object, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(L2-normalised tf-idf rows as a scipy CSR matrix, the sorted hashes its columns stand for, their idf)."""
    from scipy.sparse import csr_matrix

    per_text = [view(t) for t in texts]
    columns = np.array(sorted({h for g in per_text for h in g}), dtype=np.int64)
    where = {int(h): i for i, h in enumerate(columns)}
    rows, cols, vals = [], [], []
    for r, grams in enumerate(per_text):
        for h, v in grams.items():
            rows.append(r)
            cols.append(where[h])
            vals.append(v)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(columns)))
    df = np.bincount(matrix.indices, minlength=len(columns))
    idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
    matrix = csr_matrix(matrix.multiply(idf))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = csr_matrix(matrix.multiply(1 / np.maximum(norms, 1e-12)[:, None]))
    return matrix, columns, idf


def weighted(
    text: str, columns: npt.NDArray[np.int64], idf: npt.NDArray[np.float64], view: View = ngrams
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(column indices, L2-normalised tf-idf values) of text's n-grams that a model knows."""
    grams = view(text)
    if not grams or not len(columns):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    keys = np.fromiter(grams, dtype=np.int64, count=len(grams))
    at = np.searchsorted(columns, keys).clip(0, len(columns) - 1)
    known = columns[at] == keys
    vals = np.fromiter(grams.values(), dtype=np.float64, count=len(grams))[known] * idf[at[known]]
    norm = float(np.sqrt(vals @ vals))
    return at[known], vals / norm if norm > 0 else vals
