"""A trained intent classifier: which topic a question is about, learned from every example question.

One multinomial logistic regression over all four languages at once, on two views of the text:
hashed character n-grams of the folded words (exact wording, robust to typos and missing accents)
and the sentence vector (meaning, across languages). The out-of-scope examples are one more
class. Fitted with scikit-learn when the knowledge changes; the weights are cached on disk, so a
normal start reads them back and scores with numpy alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.matching.encoder import EmbeddingCache, Vectors, pin_threads
from bot.matching.examples import Examples
from bot.matching.ngrams import N_BUCKETS, SIZES, tfidf_rows, weighted

FloatArray = npt.NDArray[np.float64]
C = 10.0  # inverse regularisation: chosen on the dev split (docs/matching.md)


class IntentClassifier:
    def __init__(self, cache: EmbeddingCache, known: Examples) -> None:
        texts, labels = known.texts, known.columns
        self.n_columns = known.n_columns
        material = [f"C={C} ngrams={N_BUCKETS},{SIZES}"]
        material += [f"{label}\t{text}" for label, text in zip(labels, texts, strict=True)]
        arrays = cache.trained("intent", material, lambda previous: _fit(cache, texts, labels, previous))
        self.columns = arrays["columns"]  # the n-gram hashes seen in training, sorted
        self.idf = arrays["idf"]
        self.w_grams = arrays["w_grams"]
        self.w_vector = arrays["w_vector"]
        self.bias = arrays["bias"]
        self.classes = arrays["classes"]  # column of each class (a topic absent from training has none)

    def probabilities(self, text: str, vector: Vectors) -> FloatArray:
        """Per column (topics, then reject): the classifier's probability; 0 for classes it never saw."""
        out = np.zeros(self.n_columns)
        if not len(self.classes):
            return out
        at, vals = weighted(text, self.columns, self.idf)
        logits = (self.w_vector @ vector + self.w_grams[:, at] @ vals + self.bias).astype(np.float64)
        exp = np.exp(logits - logits.max())
        out[self.classes] = exp / exp.sum()
        return out


def _fit(
    cache: EmbeddingCache,
    texts: Sequence[str],
    labels: Sequence[int],
    previous: dict[str, npt.NDArray[np.generic]] | None,
) -> dict[str, npt.NDArray[np.generic]]:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to tell apart
        empty = np.zeros((0, 0), dtype=np.float32)
        return {
            "columns": np.zeros(0, np.int64),
            "idf": np.zeros(0),
            "w_grams": empty,
            "w_vector": empty,
            "bias": np.zeros(0, np.float32),
            "classes": np.zeros(0, np.int64),
        }
    grams, columns, idf = tfidf_rows(texts)
    x = hstack([grams, csr_matrix(cache.embed(texts).astype(np.float64))]).tocsr()
    y = np.array(labels)
    model = LogisticRegression(C=C, max_iter=3000)
    start = _start_from(previous, columns, np.unique(y), x.shape[1])
    if start is not None:  # a small edit: start from the old optimum
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = start
    pin_threads()  # scikit-learn and scipy bring their own BLAS
    model.fit(x, y)
    coef = model.coef_.astype(np.float32)
    bias = model.intercept_.astype(np.float32)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; softmax over [0, z] is the same
        coef, bias = np.vstack([np.zeros_like(coef), coef]), np.r_[np.float32(0), bias]
    n = len(columns)
    return {
        "columns": columns,
        "idf": idf,
        "w_grams": coef[:, :n],
        "w_vector": coef[:, n:],
        "bias": bias,
        "classes": model.classes_.astype(np.int64),
    }


def _start_from(
    previous: dict[str, npt.NDArray[np.generic]] | None,
    columns: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
    n_features: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """The previous weights laid out for the new columns and classes (new ones start at 0)."""
    if previous is None or len(classes) < 3 or not len(previous.get("classes", ())):
        return None
    coef = np.zeros((len(classes), n_features))
    bias = np.zeros(len(classes))
    old_cols = {int(h): i for i, h in enumerate(previous["columns"])}
    new_at = [i for i, h in enumerate(columns) if int(h) in old_cols]
    old_at = [old_cols[int(columns[i])] for i in new_at]
    old_class = {int(c): i for i, c in enumerate(previous["classes"])}
    for row, c in enumerate(classes):
        if (o := old_class.get(int(c))) is not None:
            coef[row, new_at] = np.asarray(previous["w_grams"], dtype=np.float64)[o, old_at]
            coef[row, len(columns) :] = np.asarray(previous["w_vector"], dtype=np.float64)[o]
            bias[row] = float(np.asarray(previous["bias"])[o])
    return coef, bias
