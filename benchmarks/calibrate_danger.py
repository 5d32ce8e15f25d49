"""Chooses the danger detector's thresholds by leaving one corpus author out at a time.

Each author of knowledge/danger/ wrote from a different brief; a model trained on the others and
scored on the held-out author shows how it does on wording nobody tuned on. tests/eval/dev.yaml
and train.yaml are scored with the full model as a second check. The blind test split is never
read here.

    python benchmarks/calibrate_danger.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.models import LANGS, Lang  # noqa: E402
from bot.matching.danger import DangerDetector, DangerTuning  # noqa: E402
from bot.matching.encoder import EmbeddingCache, default_encoder  # noqa: E402
from bot.matching.matcher import EMERGENCY_TOPIC  # noqa: E402
from bot.paths import cache_dir  # noqa: E402

RECALL_FLOOR = 0.985  # on held-out authors; then the fewest false alarms


def scored(detector: DangerDetector, rows: list[tuple[str, Lang]]) -> tuple[np.ndarray, np.ndarray]:
    """(classifier score, lexicon hit) per message."""
    scores = np.array([detector.score(t) for t, _ in rows])
    hits = np.array([detector.lexicon.find(t, (lang,)) is not None for t, lang in rows])
    return scores, hits


def alarms(scores: np.ndarray, hits: np.ndarray, t: DangerTuning) -> np.ndarray:
    out: np.ndarray = (scores >= t.threshold) | (hits & (scores >= t.lexicon_threshold))
    return out


def main() -> int:
    kb = load_knowledge(ROOT / "knowledge")
    cache = EmbeddingCache(default_encoder(), cache_dir(), models_on_disk=False)
    calm_questions = [
        q
        for t in kb.topics.values()
        if t.id != EMERGENCY_TOPIC
        for lang in LANGS
        for q in (t.text(lang).title, *t.text(lang).questions)
    ] + [q for lang in LANGS for q in kb.out_of_scope.questions(lang)]
    base = DangerTuning()
    d_s, d_h, c_s, c_h = [], [], [], []
    for f in kb.danger:
        det = DangerDetector(cache, kb.danger, kb.lexicon, calm_questions, base, exclude_author=f.author)
        s, h = scored(det, [(t, lang) for lang in LANGS for t in f.examples(lang).danger])
        d_s.append(s)
        d_h.append(h)
        s, h = scored(det, [(t, lang) for lang in LANGS for t in f.examples(lang).calm])
        c_s.append(s)
        c_h.append(h)
    ds, dh, cs, ch = map(np.concatenate, (d_s, d_h, c_s, c_h))
    full = DangerDetector(cache, kb.danger, kb.lexicon, calm_questions, base)
    extra = [i for n in ("dev.yaml", "train.yaml") for i in load_items(ROOT / "tests" / "eval" / n)]
    # procedural questions ("emergency number?") are the topic matcher's job, not the detector's
    dev_d = [(i.q, i.lang) for i in extra if i.is_danger and len(i.q.split()) > 5]
    dev_c = [(i.q, i.lang) for i in extra if not i.is_danger]
    vd, vdh = scored(full, dev_d)
    vc, vch = scored(full, dev_c)
    print(f"{len(kb.danger)} authors, {len(ds)} danger / {len(cs)} calm held out; dev {len(vd)} / {len(vc)}")
    print(f"lexicon alone: held-out recall {dh.mean():.1%}, alarms on calm {ch.mean():.1%}")
    print(f"{'lex_thr':>8}{'thr':>6}{'recall':>8}{'alarms':>8}{'dev rec':>9}{'dev FA':>8}")
    for lex in (0.02, 0.05, 0.1, 0.2, 0.3):
        for thr in np.arange(0.95, 0.05, -0.01):
            t = replace(base, threshold=round(float(thr), 2), lexicon_threshold=lex)
            if alarms(ds, dh, t).mean() >= RECALL_FLOOR:
                break
        print(
            f"{lex:>8}{t.threshold:>6}{alarms(ds, dh, t).mean():>8.1%}{alarms(cs, ch, t).mean():>8.1%}"
            f"{alarms(vd, vdh, t).mean():>9.1%}{alarms(vc, vch, t).mean():>8.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
