"""Our matcher beside the peers a user could pick instead, in the same run, then start-up and latency.

    .venv/bin/python benchmarks/matcher.py [--split test|dev|train] [--factors 1,10]

Peers, each trained on the same knowledge (titles, example questions, the out-of-scope examples as
one more class, so a peer can refuse by choosing it): BM25 over the example questions (rank-bm25),
a TF-IDF word + character n-gram logistic regression (scikit-learn), and the nearest example by
the same sentence encoder; the TF-IDF model once more with the danger corpus's danger messages as
emergency-topic examples. A peer's "danger" is choosing the emergency topic. Latency is per
question on one thread, encoder included; start-up is building the matcher with a warm cache.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.evaluation import Item, load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.models import Topic, TopicText  # noqa: E402
from bot.lang import LANGS  # noqa: E402
from bot.matching.encoder import EmbeddingCache, default_encoder  # noqa: E402
from bot.matching.examples import examples  # noqa: E402
from bot.matching.matcher import EMERGENCY_TOPIC, Matcher  # noqa: E402
from bot.matching.normalise import fold  # noqa: E402

REJECT = None
Answer = tuple[str | None, bool, bool]  # (topic served or None, answered directly, emergency first)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def scale(topics: list[Topic], factor: int) -> list[Topic]:
    """factor x the topics, as renamed copies: the index and its vectors grow, the texts stay real."""
    out = list(topics)
    for copy in range(1, factor):
        for t in topics:
            texts = {
                lang: TopicText.model_construct(
                    **{**dict(t.text(lang)), "title": f"{t.text(lang).title} {copy}"}
                )
                for lang in LANGS
            }
            out.append(t.model_copy(update={"id": f"{t.id}-x{copy}", **texts}))
    return out


class TiledCache(EmbeddingCache):
    """For the scaled knowledge: the copies' vectors as usual, the trained weights tiled from 1x.

    Fitting a 490-class model is a curator's one-off cost (minutes), not start-up or latency;
    copies of the same texts would not teach it anything anyway."""

    def __init__(self, base: EmbeddingCache, matcher: Matcher, factor: int) -> None:
        super().__init__(base.encoder, base.path.parent if base.path else None, models_on_disk=False)
        self._vectors, self._loaded = base._vectors, True
        intent = matcher.intent
        topics = len(intent.classes) - 1  # the last class is the reject class
        rows = [*np.tile(np.arange(topics), factor), topics]
        self.arrays = {
            "intent": {
                "columns": intent.columns,
                "idf": intent.idf,
                "w_grams": intent.w_grams[rows],
                "word_columns": intent.word_columns,
                "word_idf": intent.word_idf,
                "w_words": intent.w_words[rows],
                "w_vector": intent.w_vector[rows],
                "bias": intent.bias[rows],
                "classes": np.arange(len(rows)),
            },
        }
        clf = matcher.danger.classifier
        assert clf is not None
        self.arrays["danger"] = clf.arrays

    def trained(self, name: str, material: object, fit: object) -> dict[str, np.ndarray]:  # type: ignore[override]
        return self.arrays[name]


def score(name: str, fn: Callable[[Item], Answer], items: list[Item]) -> dict[str, float | str]:
    inside = [i for i in items if i.topic is not None and not i.is_danger]
    oos = [i for i in items if i.topic is None and not i.is_danger]
    danger = [i for i in items if i.is_danger]
    near = [i for i in items if i.danger is False]
    times: list[float] = []
    got: dict[int, Answer] = {}
    for n, item in enumerate(items):
        start = time.perf_counter()
        got[n] = fn(item)
        times.append((time.perf_counter() - start) * 1000)
    index = {id(i): n for n, i in enumerate(items)}

    def ans(i: Item) -> Answer:
        return got[index[id(i)]]

    def right(i: Item) -> bool:
        return ans(i)[0] is not None and ans(i)[0] in {i.topic, *i.alt}

    direct = [i for i in inside + oos if ans(i)[1]]
    return {
        "method": name,
        "top1": sum(map(right, inside)) / len(inside),
        "precision": sum(right(i) for i in direct) / max(len(direct), 1),
        "oos_refused": sum(ans(i)[0] is None for i in oos) / max(len(oos), 1),
        "danger_recall": sum(ans(i)[2] for i in danger) / max(len(danger), 1),
        "false_alarms": sum(ans(i)[2] for i in near) / max(len(near), 1),
        "p50": statistics.median(times),
        "p99": percentile(times, 99),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test", choices=("test", "dev", "train"))
    parser.add_argument("--factors", default="1,10")
    parser.add_argument("--items", type=Path, help="an eval file or folder instead of --split")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args()
    kb = load_knowledge(args.knowledge)
    topics = list(kb.topics.values())
    path = args.items or ROOT / "tests" / "eval" / (
        args.split if args.split == "test" else f"{args.split}.yaml"
    )
    items = [i for i in load_items(path) if i.topic is None or i.topic in kb.topics]
    cache = EmbeddingCache(default_encoder(), Settings.from_env().cache)
    oos = {lang: kb.out_of_scope.text(lang) for lang in LANGS}
    known = examples(topics, oos)
    ids: list[str | None] = [t.id for t in topics] + [REJECT]
    texts = list(known.texts)
    labels = [ids[c] for c in known.columns]
    langs = [LANGS[i] for i in known.langs]

    matcher = Matcher(topics, out_of_scope=kb.out_of_scope, cache=cache, danger=kb.danger, lexicon=kb.lexicon)

    def ours(item: Item) -> Answer:
        m = matcher.match(item.q, item.lang)
        served = m.topics[0] if m.decision != "none" and m.topics else None
        if m.emergency and item.topic != EMERGENCY_TOPIC:  # the worker's topic follows the emergency block
            served = m.topics[1] if len(m.topics) > 1 else EMERGENCY_TOPIC
        return served, m.decision == "answer" and not m.emergency, m.emergency

    bm25 = {}
    for lang in LANGS:
        rows = [n for n, la in enumerate(langs) if la == lang]
        bm25[lang] = (BM25Okapi([fold(texts[n]).split() or ["_"] for n in rows]), [labels[n] for n in rows])

    def by_bm25(item: Item) -> Answer:
        index, labs = bm25[item.lang]
        scores = index.get_scores(fold(item.q).split())
        best = int(np.argmax(scores))
        label = labs[best] if scores[best] > 0 else None
        return label, label is not None, label == EMERGENCY_TOPIC

    def tfidf_peer(texts: list[str], labels: list[str | None]) -> tuple[Callable[[Item], Answer], float]:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, max_features=80_000
        )
        folded = [fold(t) for t in texts]
        y = [lab or "(reject)" for lab in labels]
        t0 = time.perf_counter()
        with threadpool_limits(limits=1):
            x = hstack([words.fit_transform(folded), chars.fit_transform(folded)]).tocsr()
            model = LogisticRegression(C=10, max_iter=2000).fit(x, y)

        def predict(item: Item) -> Answer:
            f = fold(item.q)
            label = str(model.predict(hstack([words.transform([f]), chars.transform([f])]))[0])
            out = None if label == "(reject)" else label
            return out, out is not None, out == EMERGENCY_TOPIC

        return predict, time.perf_counter() - t0

    by_tfidf, tfidf_build = tfidf_peer(texts, labels)
    # The same peer given what we train our danger model on: the corpus's danger messages as examples
    # of the emergency topic (a user building it would feed it everything they have).
    danger_texts = [q for f in kb.danger for lang in LANGS for q in f.text(lang).danger]
    by_tfidf_danger, _ = tfidf_peer(texts + danger_texts, labels + [EMERGENCY_TOPIC] * len(danger_texts))

    vectors = cache.embed(texts)

    def by_encoder(item: Item) -> Answer:
        q = cache.encoder.encode([item.q])[0]
        label = labels[int(np.argmax(vectors @ q))]
        return label, label is not None, label == EMERGENCY_TOPIC

    for fn in (ours, by_bm25, by_tfidf, by_tfidf_danger, by_encoder):
        fn(items[0])  # warm caches before timing
    n_in = sum(1 for i in items if i.topic is not None and not i.is_danger)
    print(f"{path.name}: {len(items)} items ({n_in} in scope), {len(topics)} topics x 4 languages")
    head = f"{'method':34}{'top-1':>7}{'prec.':>7}{'oos ref':>8}{'danger':>8}{'alarms':>8}{'p50 ms':>8}{'p99 ms':>8}"
    for lang in (*LANGS, None):
        subset = [i for i in items if lang is None or i.lang == lang]
        print(f"\n[{lang or 'all'}]\n{head}")
        rows = [
            score("guidebot (lexical+semantic+danger)", ours, subset),
            score("BM25 over examples", by_bm25, subset),
            score("TF-IDF word+char logistic regr.", by_tfidf, subset),
            score("... + danger corpus as emergency", by_tfidf_danger, subset),
            score("nearest example (same encoder)", by_encoder, subset),
        ]
        best_peer = max(float(r["top1"]) for r in rows[1:])
        for r in rows:
            print(
                f"{r['method']:34}{r['top1']:>7.1%}{r['precision']:>7.1%}{r['oos_refused']:>8.1%}"
                f"{r['danger_recall']:>8.1%}{r['false_alarms']:>8.1%}{r['p50']:>8.2f}{r['p99']:>8.2f}"
            )
        ours_top1 = float(rows[0]["top1"])
        print(
            f"ours - best peer: {100 * (ours_top1 - best_peer):+.1f} points top-1 (ratio {ours_top1 / best_peer:.2f})"
        )
    print(f"\nTF-IDF peer training: {tfidf_build:.1f} s")
    load = "from pathlib import Path; from bot.core.core import Core; Core.load(Path('knowledge'), Path('locales'))"
    starts = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", load], cwd=ROOT, check=True, capture_output=True)
        starts.append(time.perf_counter() - t0)
    print(
        f"start-up, a new process loading knowledge and models (warm cache): median {statistics.median(starts):.2f} s"
    )
    print(
        f"\n{'knowledge':10}{'topics':>7}{'build s':>11}{'p50 ms':>8}{'p99 ms':>8}  (build: the matcher, warm cache)"
    )
    sample = [i for i in items if i.topic is not None][:200]
    for factor in (int(f) for f in args.factors.split(",")):
        big = scale(topics, factor)
        scaled = cache if factor == 1 else TiledCache(cache, matcher, factor)
        Matcher(big, out_of_scope=kb.out_of_scope, cache=scaled, danger=kb.danger, lexicon=kb.lexicon)  # warm
        t0 = time.perf_counter()
        m = Matcher(big, out_of_scope=kb.out_of_scope, cache=scaled, danger=kb.danger, lexicon=kb.lexicon)
        build = time.perf_counter() - t0
        times = []
        for item in sample:
            t1 = time.perf_counter()
            m.match(item.q, item.lang)
            times.append((time.perf_counter() - t1) * 1000)
        print(
            f"{str(factor) + 'x':10}{len(big):>7}{build:>11.2f}{statistics.median(times):>8.2f}{percentile(times, 99):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
