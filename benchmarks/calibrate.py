"""Chooses the matcher's weights and thresholds on data the dev set never sees.

In-scope data: each topic's example questions split in two folds; the index is built from one
fold and queried with the other (both ways), so a question never finds itself. Out-of-scope and
danger data: tests/eval/train.yaml, written apart from the knowledge and the dev set.
Prints the grid's best settings and the figures that chose them (recorded in docs/matching.md).
The blind test split (tests/eval/test/) is never read here.

    python benchmarks/calibrate.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.evaluation import load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.models import OutOfScope, Topic, TopicText  # noqa: E402
from bot.lang import LANGS, Lang  # noqa: E402
from bot.matching.encoder import EmbeddingCache, default_encoder  # noqa: E402
from bot.matching.matcher import Matcher  # noqa: E402


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


Row = tuple[
    np.ndarray, np.ndarray, int, bool
]  # (lexical, semantic, intent) stacked, known share, gold, from dev


def signals(matcher: Matcher, text: str, lang: Lang) -> tuple[np.ndarray, float]:
    t = matcher.tuning
    s = matcher.indexes[lang].signals(text)
    vector = matcher.cache.encoder.encode([text])[0]
    lexical = t.w_example * s.example + t.w_keyword * s.keyword + t.w_coverage * s.coverage
    sem = matcher.semantic.similarity(vector, lang)
    return np.stack([lexical, sem, matcher.intent.probabilities(text, vector)]), s.known_share


def collect(topics: list[Topic], reject: OutOfScope, cache: EmbeddingCache) -> list[Row]:
    """Signals for every held-out example question, with its gold topic index."""
    rows: list[Row] = []
    for keep in (0, 1):
        matcher = Matcher(fold_topics(topics, keep), out_of_scope=reject, cache=cache)
        for gold, topic in enumerate(topics):
            for lang in LANGS:
                for question in topic.text(lang).questions[1 - keep :: 2]:
                    rows.append((*signals(matcher, question, lang), gold, False))
    return rows


def main() -> int:
    kb = load_knowledge(ROOT / "knowledge")
    topics = list(kb.topics.values())
    ids = [t.id for t in topics]
    cache = EmbeddingCache(default_encoder(), Settings.from_env().cache, models_on_disk=False)
    rows = collect(topics, kb.out_of_scope, cache)
    full = Matcher(topics, out_of_scope=kb.out_of_scope, cache=cache)
    reject = len(topics)  # the reject class is the last column
    items = [i for n in ("dev.yaml", "train.yaml") for i in load_items(ROOT / "tests" / "eval" / n)]
    for item in items:
        if item.is_danger or (item.topic is not None and item.topic not in ids):
            continue
        gold = -1 if item.topic is None else ids.index(item.topic)
        rows.append((*signals(full, item.q, full.detect_language(item.q, item.lang)), gold, True))
    sig = np.array([r[0] for r in rows])
    known, gold, dev = (np.array([r[i] for r in rows]) for i in (1, 2, 3))
    lexical, sem, intent = sig[:, 0], sig[:, 1], sig[:, 2]
    inside = gold >= 0
    print(
        f"calibration data: {(inside & ~dev).sum()} held-out examples, {(inside & dev).sum()} dev in scope, "
        f"{(~inside).sum()} out of scope (dev + train)"
    )
    results = []
    sem_best = sem[:, :-1].max(axis=1)
    for w_sem, w_int, floor in itertools.product(
        (0.0, 0.1, 0.2, 0.3), (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0), (0.3,)
    ):
        if w_sem + w_int > 1:
            continue
        meaning = np.clip((sem - floor) / (1 - floor), 0, 1)
        S = (1 - w_sem - w_int) * lexical + w_sem * meaning + w_int * intent
        top = np.argsort(-S, axis=1)[:, :2]
        best, runner = np.take_along_axis(S, top, 1).T
        right = top[:, 0] == gold
        rejected = top[:, 0] == reject
        for clarify_at, answer_at, margin, min_known, sure in itertools.product(
            (0.1, 0.15, 0.2, 0.25, 0.3, 0.35),
            (0.3, 0.4, 0.5, 0.6, 0.7),
            (0.0, 0.1, 0.2, 0.3),
            (0.34, 0.5, 0.67),
            (0.7, 2.0),
        ):
            if answer_at < clarify_at:
                continue
            k = np.where(sem_best >= sure, 1.0, known)
            ok = (k >= min_known) & (best > 0) & ~rejected
            ans = ok & (best >= answer_at) & (best - runner >= margin)
            served = ans | (ok & (best >= clarify_at))
            on_dev = dev & inside
            results.append(
                (
                    float((served & right)[on_dev].mean()),
                    float(1 - served[~inside].mean()),
                    float((ans & right)[dev].sum() / max(ans[dev].sum(), 1)),
                    float(ans[on_dev].mean()),
                    float((served & right)[inside & ~dev].mean()),
                    w_sem,
                    w_int,
                    floor,
                    clarify_at,
                    answer_at,
                    margin,
                    min_known,
                    sure,
                )
            )
    print("dev: top-1 served, out-of-scope refused, direct-answer precision, share answered directly;")
    print("held-out examples: top-1 served (a check: these settings were not chosen on them)")
    print(
        f"{'top1':>6} {'oos_ref':>7} {'ans_prec':>8} {'answered':>8} {'folds':>6}  w_sem w_int floor clarify answer margin known sure"
    )
    for level, prec in itertools.product((0.85, 0.9, 0.95), (0.95, 0.97)):
        safe = [r for r in results if r[1] >= level and r[2] >= prec]
        if safe:
            r = max(safe, key=lambda r: (r[0], r[3]))
            print(
                f"{r[0]:6.1%} {r[1]:7.1%} {r[2]:8.1%} {r[3]:8.1%} {r[4]:6.1%}  {r[5]:.1f}  {r[6]:.1f}  {r[7]:.1f}  "
                f"{r[8]:.2f}  {r[9]:.2f}  {r[10]:.2f}  {r[11]:.2f}  {r[12]:.1f}  (oos >= {level:.0%}, precision >= {prec:.0%})"
            )
    print("best per signal mix (oos >= 90%, precision >= 97%):")
    for w_sem, w_int in sorted({(r[5], r[6]) for r in results}):
        safe = [r for r in results if (r[5], r[6]) == (w_sem, w_int) and r[1] >= 0.9 and r[2] >= 0.97]
        if safe:
            r = max(safe, key=lambda r: (r[0], r[3]))
            print(
                f"  w_sem {w_sem:.1f} w_int {w_int:.1f}: dev top1 {r[0]:.1%}, answered {r[3]:.1%}, folds {r[4]:.1%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
