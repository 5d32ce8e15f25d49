"""Chooses the matcher's weights and thresholds on data the dev set never sees.

In-scope data: each topic's example questions split in two folds; the index is built from one
fold and queried with the other (both ways), so a question never finds itself. Out-of-scope and
danger data: benchmarks/calibration.yaml, written apart from the knowledge and the dev set.
Prints the grid's best settings and the figures that chose them (recorded in docs/matching.md).

    python benchmarks/calibrate.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.models import LANGS, Topic, TopicText  # noqa: E402
from bot.matching.matcher import Matcher, Tuning  # noqa: E402


def fold_topics(topics: list[Topic], keep: int) -> list[Topic]:
    """Topics with only every other example question (fold 0 or 1); validation skipped on purpose."""
    out = []
    for topic in topics:
        texts = {}
        for lang in LANGS:
            text = topic.text(lang)
            texts[lang] = TopicText.model_construct(
                title=text.title, answer=text.answer, keywords=text.keywords, questions=text.questions[keep::2]
            )
        out.append(topic.model_copy(update=texts))
    return out


def collect(topics: list[Topic]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, int]]:
    """Signals for every held-out question: (example, keyword, coverage, known_share, gold index)."""
    rows = []
    for keep in (0, 1):
        matcher = Matcher(fold_topics(topics, keep))
        for gold, topic in enumerate(topics):
            for lang in LANGS:
                for question in topic.text(lang).questions[1 - keep :: 2]:
                    s = matcher.indexes[lang].signals(question)
                    rows.append((s.example, s.keyword, s.coverage, s.known_share, gold))
    return rows


def main() -> int:
    kb = load_knowledge(ROOT / "knowledge")
    topics = list(kb.topics.values())
    ids = [t.id for t in topics]
    held_out = collect(topics)
    full = Matcher(topics)
    oos = [i for i in load_items(ROOT / "benchmarks" / "calibration.yaml") if i.topic is None]
    oos_rows = []
    for item in oos:
        lang = full.detect_language(item.q, item.lang)
        s = full.indexes[lang].signals(item.q)
        oos_rows.append((s.example, s.keyword, s.coverage, s.known_share, -1))
    print(f"calibration data: {len(held_out)} held-out example questions, {len(oos_rows)} out-of-scope questions, {len(ids)} topics")

    best: tuple[float, ...] | None = None
    results = []
    for we, wk in itertools.product((0.3, 0.4, 0.5, 0.6, 0.7), (0.1, 0.2, 0.3, 0.4)):
        wc = round(1 - we - wk, 2)
        if wc < 0:
            continue
        def score(row: tuple[np.ndarray, np.ndarray, np.ndarray, float, int]) -> np.ndarray:
            return we * row[0] + wk * row[1] + wc * row[2]

        ins = [(score(r), r[3], r[4]) for r in held_out]
        outs = [(score(r), r[3]) for r in oos_rows]
        for clarify_at, answer_at, margin, min_known in itertools.product(
            (0.2, 0.25, 0.3, 0.35, 0.4), (0.4, 0.45, 0.5, 0.55, 0.6), (0.0, 0.05, 0.1), (0.34, 0.5)
        ):
            if answer_at < clarify_at:
                continue
            t = Tuning(we, wk, wc, answer_at, margin, clarify_at, 0.8, min_known)
            m = Matcher.__new__(Matcher)
            m.tuning = t
            top1 = answered_right = answered = refused_in = 0
            for sc, known, gold in ins:
                order = np.argsort(-sc)[:2]
                ranked = [(ids[i], float(sc[i])) for i in order if sc[i] > 0]
                decision = m.decide(ranked, known)
                if decision == "none":
                    refused_in += 1
                    continue
                right = ranked[0][0] == ids[gold]
                top1 += right
                if decision == "answer":
                    answered += 1
                    answered_right += right
            refused_out = 0
            for sc, known in outs:
                order = np.argsort(-sc)[:2]
                ranked = [(ids[i], float(sc[i])) for i in order if sc[i] > 0]
                refused_out += m.decide(ranked, known) == "none"
            n, k = len(ins), len(outs)
            row = (top1 / n, refused_out / k, answered_right / max(answered, 1), refused_in / n, we, wk, wc, clarify_at, answer_at, margin, min_known)
            results.append(row)
            # Safety constraints first: refuse >= 85% of out-of-scope, and be right >= 90% when answering outright.
            if row[1] >= 0.85 and row[2] >= 0.9 and (best is None or row[0] > best[0]):
                best = row
    print(f"{'top1':>6} {'oos_ref':>7} {'ans_prec':>8} {'in_ref':>6}  w_ex  w_kw  w_cov  clarify answer margin known")
    for row in sorted(results, key=lambda r: -r[0] - r[1])[:8]:
        print(f"{row[0]:6.1%} {row[1]:7.1%} {row[2]:8.1%} {row[3]:6.1%}  {row[4]:.2f}  {row[5]:.2f}  {row[6]:.2f}   {row[7]:.2f}   {row[8]:.2f}   {row[9]:.2f}  {row[10]:.2f}")
    if best is None:
        print("no setting meets the safety constraints")
        return 1
    print("\nchosen (best top-1 with out-of-scope refusal >= 85% and answer precision >= 90%):")
    print(f"  top1={best[0]:.1%} oos_refused={best[1]:.1%} answer_precision={best[2]:.1%} in_scope_refused={best[3]:.1%}")
    print(f"  Tuning(w_example={best[4]}, w_keyword={best[5]}, w_coverage={best[6]}, clarify_at={best[7]}, answer_at={best[8]}, margin={best[9]}, min_known={best[10]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
