"""A trained intent classifier: which topic a question is about, learned from every example question.

One multinomial logistic regression over all four languages at once, on three views of the text:
hashed character n-grams of the folded words (exact wording, robust to typos and missing accents),
hashed words and word pairs (what a word means beside its neighbour), and the sentence vector
(meaning, across languages). The out-of-scope examples are one more
class. Fitted with scikit-learn when the knowledge changes; the weights are cached on disk, so a
normal start reads them back and scores with numpy alone.

Always fitted from scratch (about a minute on one core). Warm-starting from the previous weights
made a reload fast but kept what removed examples had taught: the optimiser stops as soon as the
training loss is flat, and with thousands of separable examples it is flat almost anywhere near
the old optimum (measured: a model warm-started from one that had seen a test split scored 99.7%
on it after that split was removed, a cold fit 95.5%).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.matching.encoder import EmbeddingCache, Vectors, pin_threads
from bot.matching.examples import Examples
from bot.matching.ngrams import N_BUCKETS, SIZES, tfidf_rows, weighted, word_grams

FloatArray = npt.NDArray[np.float64]
C = 10.0  # inverse regularisation: chosen on the dev split (docs/matching.md)
WORDS = 1.0  # weight of the word view beside the character view (0: characters only)


class IntentClassifier:
    def __init__(self, cache: EmbeddingCache, known: Examples) -> None:
        texts, labels = known.texts, known.columns
        self.n_columns = known.n_columns
        material = [f"C={C} ngrams={N_BUCKETS},{SIZES} words={WORDS} cold"]
        material += [f"{label}\t{text}" for label, text in zip(labels, texts, strict=True)]
        arrays = cache.trained("intent", material, lambda: _fit(cache, texts, labels))
        self.columns = arrays["columns"]  # the n-gram hashes seen in training, sorted
        self.idf = arrays["idf"]
        self.w_grams = arrays["w_grams"]
        self.word_columns = arrays["word_columns"]
        self.word_idf = arrays["word_idf"]
        self.w_words = arrays["w_words"]
        self.w_vector = arrays["w_vector"]
        self.bias = arrays["bias"]
        self.classes = arrays["classes"]  # column of each class (a topic absent from training has none)

    def probabilities(self, text: str, vector: Vectors) -> FloatArray:
        """Per column (topics, then reject): the classifier's probability; 0 for classes it never saw."""
        out = np.zeros(self.n_columns)
        if not len(self.classes):
            return out
        at, vals = weighted(text, self.columns, self.idf)
        w_at, w_vals = weighted(text, self.word_columns, self.word_idf, word_grams)
        logits = (
            self.w_vector @ vector
            + self.w_grams[:, at] @ vals
            + self.w_words[:, w_at] @ (WORDS * w_vals)
            + self.bias
        ).astype(np.float64)
        exp = np.exp(logits - logits.max())
        out[self.classes] = exp / exp.sum()
        return out


def _fit(
    cache: EmbeddingCache,
    texts: Sequence[str],
    labels: Sequence[int],
) -> dict[str, npt.NDArray[np.generic]]:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to tell apart
        empty = np.zeros((0, 0), dtype=np.float32)
        return {
            "columns": np.zeros(0, np.int64),
            "idf": np.zeros(0),
            "w_grams": empty,
            "word_columns": np.zeros(0, np.int64),
            "word_idf": np.zeros(0),
            "w_words": empty,
            "w_vector": empty,
            "bias": np.zeros(0, np.float32),
            "classes": np.zeros(0, np.int64),
        }
    grams, columns, idf = tfidf_rows(texts)
    words, word_columns, word_idf = tfidf_rows(texts, word_grams)
    x = hstack(
        [grams, csr_matrix(words).multiply(WORDS), csr_matrix(cache.embed(texts).astype(np.float64))]
    ).tocsr()
    y = np.array(labels)
    model = LogisticRegression(C=C, max_iter=3000)
    pin_threads()  # scikit-learn and scipy bring their own BLAS
    model.fit(x, y)
    coef = model.coef_.astype(np.float32)
    bias = model.intercept_.astype(np.float32)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; softmax over [0, z] is the same
        coef, bias = np.vstack([np.zeros_like(coef), coef]), np.r_[np.float32(0), bias]
    n, m = len(columns), len(columns) + len(word_columns)
    return {
        "columns": columns,
        "idf": idf,
        "w_grams": coef[:, :n],
        "word_columns": word_columns,
        "word_idf": word_idf,
        "w_words": coef[:, n:m],
        "w_vector": coef[:, m:],
        "bias": bias,
        "classes": model.classes_.astype(np.int64),
    }
