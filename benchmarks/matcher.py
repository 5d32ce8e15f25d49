"""Matcher accuracy and latency beside two baselines, then latency at 1x, 10x and 100x knowledge.

    .venv/bin/python benchmarks/matcher.py [--quick]

Baselines, run in the same process on the same dev set: BM25 (rank-bm25, Okapi) over the example
questions, and plain rapidfuzz WRatio nearest example. Both only rank, so they are compared on
top-1 ranking; only our matcher also refuses out-of-scope questions.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from bot.evaluation import Item, load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.models import LANGS, Topic, TopicText  # noqa: E402
from bot.matching.matcher import Matcher  # noqa: E402
from bot.matching.normalise import fold  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[Item], str | None], items: list[Item]) -> tuple[list[str | None], list[float]]:
    answers, times = [], []
    for item in items:
        start = time.perf_counter()
        answers.append(fn(item))
        times.append((time.perf_counter() - start) * 1000)
    return answers, times


def synthetic(topics: list[Topic], factor: int, seed: int = 7) -> list[Topic]:
    """factor x the topics: copies whose questions carry invented words, so vocabulary and postings grow too."""
    if factor == 1:
        return topics
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "do", "fu", "ge"]
    out = list(topics)
    for copy in range(1, factor):
        for topic in topics:
            texts = {}
            for lang in LANGS:
                text = topic.text(lang)
                noise = ["".join(rng.choices(syllables, k=3)) for _ in range(4)]
                texts[lang] = TopicText.model_construct(
                    title=text.title,
                    answer=text.answer,
                    keywords=(*text.keywords, *noise[:2]),
                    questions=tuple(f"{q} {rng.choice(noise)}" for q in text.questions),
                )
            out.append(topic.model_copy(update={"id": f"{topic.id}-x{copy}", **texts}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 100x knowledge size")
    args = parser.parse_args()
    kb = load_knowledge(ROOT / "knowledge")
    topics = list(kb.topics.values())
    items = load_items(ROOT / "tests" / "eval" / "dev.yaml")
    items = [i for i in items if i.topic is None or i.topic in kb.topics]
    in_scope = [i for i in items if i.topic is not None]
    oos = [i for i in items if i.topic is None]

    matcher = Matcher(topics, out_of_scope=kb.out_of_scope)

    def ours(item: Item) -> str | None:
        m = matcher.match(item.q, item.lang)
        return m.topics[0] if m.decision != "none" and m.topics else None

    def ours_rank(item: Item) -> str | None:
        m = matcher.match(item.q, item.lang)
        return m.topics[0] if m.topics else None

    corpora = {}
    for lang in LANGS:
        docs, labels = [], []
        for t in topics:
            for q in t.text(lang).questions:
                docs.append(fold(q).split())
                labels.append(t.id)
        corpora[lang] = (BM25Okapi(docs), labels, [" ".join(d) for d in docs])

    def bm25(item: Item) -> str | None:
        index, labels, _ = corpora[item.lang]
        scores = index.get_scores(fold(item.q).split())
        best = max(range(len(scores)), key=scores.__getitem__)
        return labels[best] if scores[best] > 0 else None

    def wratio(item: Item) -> str | None:
        _, labels, texts = corpora[item.lang]
        hit = process.extractOne(fold(item.q), texts, scorer=fuzz.WRatio)
        return labels[hit[2]] if hit else None

    def top1(answers: list[str | None], subset: list[Item]) -> float:
        return sum(
            a is not None and a in {i.topic, i.alt} for a, i in zip(answers, subset, strict=True)
        ) / len(subset)

    for fn in (ours, bm25, wratio):  # warm caches (stemmer, fuzzy) before timing
        fn(items[0])
    print(
        f"dev set: {len(in_scope)} in-scope, {len(oos)} out-of-scope questions, {len(topics)} topics x 4 languages\n"
    )
    print(
        f"{'method':32} {'top-1 rank':>10} {'top-1 served':>12} {'oos refused':>11} {'p50 ms':>7} {'p99 ms':>7}"
    )
    rows = []
    ours_answers, ours_times = timed(ours, in_scope)
    rank_answers, _ = timed(ours_rank, in_scope)
    oos_answers, _ = timed(ours, oos)
    rows.append(
        (
            "guidebot matcher",
            top1(rank_answers, in_scope),
            top1(ours_answers, in_scope),
            sum(a is None for a in oos_answers) / len(oos),
            ours_times,
        )
    )
    for name, fn in (("BM25 over examples (rank-bm25)", bm25), ("rapidfuzz WRatio nearest example", wratio)):
        answers, times = timed(fn, in_scope)
        rows.append((name, top1(answers, in_scope), None, None, times))
    base_p50 = statistics.median(rows[0][4])
    for name, rank, served, refused, times in rows:
        served_s = f"{served:12.1%}" if served is not None else f"{'-':>12}"
        refused_s = f"{refused:11.1%}" if refused is not None else f"{'(none)':>11}"
        print(
            f"{name:32} {rank:10.1%} {served_s} {refused_s} {statistics.median(times):7.3f} {percentile(times, 99):7.3f}   x{statistics.median(times) / base_p50:.1f} p50 vs ours"
        )

    print(
        f"\n{'knowledge size':16} {'topics':>7} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p99 ms':>7} {'p99 vs 1x':>9}"
    )
    sample = items * 2
    base_p99 = None
    for factor in (1, 10) if args.quick else (1, 10, 100):
        big = synthetic(topics, factor)
        tracemalloc.start()
        start = time.perf_counter()
        m = Matcher(big, out_of_scope=kb.out_of_scope)
        build = time.perf_counter() - start
        memory = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        for item in items[:20]:
            m.match(item.q, item.lang)
        times = []
        for item in sample:
            t0 = time.perf_counter()
            m.match(item.q, item.lang)
            times.append((time.perf_counter() - t0) * 1000)
        p99 = percentile(times, 99)
        base_p99 = base_p99 or p99
        print(
            f"{str(factor) + 'x':16} {len(big):7} {build:8.2f} {memory:9.1f} {statistics.median(times):7.3f} {p99:7.3f} {p99 / base_p99:9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
