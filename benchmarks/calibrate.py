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
from bot.knowledge.models import LANGS, OutOfScope, Topic, TopicText  # noqa: E402
from bot.matching.matcher import Matcher, Tuning  # noqa: E402


def fold_topics(topics: list[Topic], keep: int) -> list[Topic]:
    """Topics with only every other example question (fold 0 or 1); validation skipped on purpose."""
    out = []
    for topic in topics:
        texts = {}
        for lang in LANGS:
            text = topic.text(lang)
            texts[lang] = TopicText.model_construct(
                title=text.title,
                answer=text.answer,
                keywords=text.keywords,
                questions=text.questions[keep::2],
            )
        out.append(topic.model_copy(update=texts))
    return out


def collect(
    topics: list[Topic], reject: OutOfScope
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, int]]:
    """Signals for every held-out question: (example, keyword, coverage, known_share, gold index)."""
    rows = []
    for keep in (0, 1):
        matcher = Matcher(fold_topics(topics, keep), out_of_scope=reject)
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
    held_out = collect(topics, kb.out_of_scope)
    full = Matcher(topics, out_of_scope=kb.out_of_scope)
    reject = len(topics)  # the reject class is the last column
    oos = [i for i in load_items(ROOT / "benchmarks" / "calibration.yaml") if i.topic is None]
    oos_rows = []
    for item in oos:
        lang = full.detect_language(item.q, item.lang)
        s = full.indexes[lang].signals(item.q)
        oos_rows.append((s.example, s.keyword, s.coverage, s.known_share, -1))
    print(
        f"calibration data: {len(held_out)} held-out example questions, {len(oos_rows)} out-of-scope questions, {len(ids)} topics"
    )

    ex, kw, cov, known_in, gold = (np.array([r[i] for r in held_out]) for i in range(5))
    o_ex, o_kw, o_cov, known_out = (np.array([r[i] for r in oos_rows]) for i in range(4))
    results = []
    for we, wk in itertools.product((0.3, 0.4, 0.5, 0.6, 0.7), (0.1, 0.2, 0.3, 0.4)):
        wc = round(1 - we - wk, 2)
        if wc < 0:
            continue
        S, oS = we * ex + wk * kw + wc * cov, we * o_ex + wk * o_kw + wc * o_cov
        top = np.argsort(-S, axis=1)[:, :2]
        best, runner = np.take_along_axis(S, top, 1).T
        right = top[:, 0] == gold
        otopi = np.argsort(-oS, axis=1)[:, :2]
        obest, orunner = np.take_along_axis(oS, otopi, 1).T
        rejected_in, rejected_out = top[:, 0] == reject, otopi[:, 0] == reject
        for clarify_at, answer_at, margin, min_known, floor_at, dominance in itertools.product(
            (0.25, 0.3, 0.35, 0.4, 0.45),
            (0.45, 0.5, 0.55, 0.6, 0.65),
            (0.0, 0.05, 0.1, 0.15),
            (0.34, 0.5, 0.67),
            (0.15, 0.2, 0.25, 9.0),
            (1.5, 2.0, 3.0),
        ):
            if answer_at < clarify_at:
                continue

            t = Tuning(we, wk, wc, answer_at, margin, clarify_at, 0.8, min_known, floor_at, dominance)

            def decide(
                b: np.ndarray, r: np.ndarray, k: np.ndarray, rejected: np.ndarray, t: Tuning = t
            ) -> tuple[np.ndarray, np.ndarray]:
                """Matcher.decide, vectorised over all questions."""
                ok = (k >= t.min_known) & (b > 0) & ~rejected
                answer = ok & (b >= t.answer_at) & (b - r >= t.margin)
                offered = ok & ~answer & ((b >= t.clarify_at) | ((b >= t.floor_at) & (b >= t.dominance * r)))
                return answer, offered

            ans, off = decide(best, runner, known_in, rejected_in)
            oans, ooff = decide(obest, orunner, known_out, rejected_out)
            served = ans | off
            row = (
                float((served & right).mean()),
                float(1 - (oans | ooff).mean()),
                float((ans & right).sum() / max(ans.sum(), 1)),
                float(1 - served.mean()),
                we,
                wk,
                wc,
                clarify_at,
                answer_at,
                margin,
                min_known,
                floor_at,
                dominance,
            )
            results.append(row)
    print(
        f"grid: {len(results)} settings; max oos refusal {max(r[1] for r in results):.1%}, max answer precision {max(r[2] for r in results):.1%}"
    )
    header = f"{'top1':>6} {'oos_ref':>7} {'ans_prec':>8} {'in_ref':>6}  w_ex  w_kw  w_cov  clarify answer margin known floor dominance"
    print("best top-1 at each out-of-scope refusal level (answer precision >= 85%):")
    print(header)
    chosen = None
    for level in (0.7, 0.75, 0.8, 0.85, 0.9):
        safe = [r for r in results if r[1] >= level and r[2] >= 0.85]
        if not safe:
            continue
        row = max(safe, key=lambda r: (r[0], r[1]))
        print(
            f"{row[0]:6.1%} {row[1]:7.1%} {row[2]:8.1%} {row[3]:6.1%}  {row[4]:.2f}  {row[5]:.2f}  {row[6]:.2f}   {row[7]:.2f}   {row[8]:.2f}   {row[9]:.2f}  {row[10]:.2f}  {row[11]:.2f}  {row[12]:.1f}   (oos >= {level:.0%})"
        )
        if level == TARGET_OOS:
            chosen = row
    if chosen is None:
        print("no setting meets the constraints")
        return 1
    print(f"\nchosen: out-of-scope refusal >= {TARGET_OOS:.0%} on the calibration set, then the best top-1:")
    print(
        f"  Tuning(w_example={chosen[4]}, w_keyword={chosen[5]}, w_coverage={chosen[6]}, answer_at={chosen[8]}, margin={chosen[9]}, clarify_at={chosen[7]}, min_known={chosen[10]}, floor_at={chosen[11]}, dominance={chosen[12]})"
    )
    return 0


TARGET_OOS = 0.85


if __name__ == "__main__":
    raise SystemExit(main())
