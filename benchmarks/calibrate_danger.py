"""Chooses the danger detector's thresholds by leaving one corpus author out at a time.

Each author of knowledge/danger/ wrote from a different brief; a model trained on the others and
scored on the held-out author shows how it does on wording nobody tuned on. tests/eval/dev.yaml
and train.yaml are scored with the full model as a second check. The blind test split is never
read here.

    python benchmarks/calibrate_danger.py [--grid | --mix]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.evaluation import load_items  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.lang import LANGS, Lang  # noqa: E402
from bot.matching.danger import DangerDetector, DangerTuning  # noqa: E402
from bot.matching.encoder import EmbeddingCache, default_encoder  # noqa: E402
from bot.matching.matcher import calm_questions  # noqa: E402

RECALL_FLOOR = 0.985  # on held-out authors; then the fewest false alarms


def scored(detector: DangerDetector, rows: list[tuple[str, Lang]]) -> tuple[np.ndarray, np.ndarray]:
    """(classifier score, lexicon evidence) per message: the evidence is -1 without a lexicon
    hit, else the best clause's score (what DangerDetector.check uses)."""
    scores = np.array([detector.score(t) for t, _ in rows])
    hits = np.array(
        [detector.clause_score(t) if detector.lexicon.find(t, (lang,)) else -1.0 for t, lang in rows]
    )
    return scores, hits


def alarms(scores: np.ndarray, hits: np.ndarray, t: DangerTuning) -> np.ndarray:
    hit = hits >= 0
    out: np.ndarray = (scores >= t.threshold) | (
        hit & ((scores >= t.lexicon_threshold) | (hits >= t.piece_threshold))
    )
    return out


def figures(t: DangerTuning, *scores: np.ndarray) -> str:
    """The table's thresholds and rates: held-out recall and alarms, then dev recall and alarms
    (scores: held-out danger, its lexicon evidence, held-out calm, its evidence, then dev's)."""
    ds, dh, cs, ch, vd, vdh, vc, vch = scores
    return (
        f"{t.lexicon_threshold:>5}{t.threshold:>6}{alarms(ds, dh, t).mean():>8.1%}"
        f"{alarms(cs, ch, t).mean():>8.1%}{alarms(vd, vdh, t).mean():>9.1%}{alarms(vc, vch, t).mean():>8.1%}"
    )


def main() -> int:
    kb = load_knowledge(ROOT / "knowledge")
    cache = EmbeddingCache(default_encoder(), Settings.from_env().cache, models_on_disk=False)
    calm = calm_questions(list(kb.topics.values()), kb.out_of_scope)
    extra = [i for n in ("dev.yaml", "train.yaml") for i in load_items(ROOT / "tests" / "eval" / n)]
    # procedural questions ("emergency number?") are the topic matcher's job, not the detector's
    dev_d = [(i.q, i.lang) for i in extra if i.is_danger and len(i.q.split()) > 5]
    dev_c = [(i.q, i.lang) for i in extra if not i.is_danger]
    d_lang = np.array([lang for f in kb.danger for lang in LANGS for _ in f.text(lang).danger])
    c_lang = np.array([lang for f in kb.danger for lang in LANGS for _ in f.text(lang).calm])
    print(
        f"{len(kb.danger)} authors; {len(d_lang)} danger / {len(c_lang)} calm held out; dev {len(dev_d)} / {len(dev_c)}"
    )
    print(
        f"{'c_vec':>6}{'c_ngr':>6}{'calm_w':>7}{'mix':>5}{'lex':>5}{'thr':>6}{'recall':>8}{'alarms':>8}{'dev rec':>9}{'dev FA':>8}"
    )
    shipped = DangerTuning()
    grid = [(shipped.c_vectors, shipped.c_ngrams, shipped.calm_weight)]
    if "--grid" in sys.argv:  # the search that chose the shipped values (about 20 minutes)
        grid += [(1.0, 16.0, 3.0), (16.0, 16.0, 3.0), (4.0, 4.0, 3.0)]
    for c_vec, c_ngr, calm_w in grid:
        fitted = replace(DangerTuning(), c_vectors=c_vec, c_ngrams=c_ngr, calm_weight=calm_w)
        per_mix: dict[float, list[np.ndarray]] = {}
        for f in kb.danger:
            for mix in (0.3, 0.5, 0.7) if {"--grid", "--mix"} & set(sys.argv) else (shipped.w_vectors,):
                det = DangerDetector(
                    cache,
                    kb.danger,
                    kb.lexicon,
                    calm,
                    replace(fitted, w_vectors=mix),
                    exclude_author=f.author,
                )
                parts = per_mix.setdefault(mix, [np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)])
                s, h = scored(det, [(t, lang) for lang in LANGS for t in f.text(lang).danger])
                parts[0], parts[1] = np.r_[parts[0], s], np.r_[parts[1], h]
                s, h = scored(det, [(t, lang) for lang in LANGS for t in f.text(lang).calm])
                parts[2], parts[3] = np.r_[parts[2], s], np.r_[parts[3], h]
        for mix, (ds, dh, cs, ch) in per_mix.items():
            dev_det = DangerDetector(cache, kb.danger, kb.lexicon, calm, replace(fitted, w_vectors=mix))
            vd, vdh = scored(dev_det, dev_d)
            vc, vch = scored(dev_det, dev_c)
            scores = (ds, dh, cs, ch, vd, vdh, vc, vch)
            print(f"{'shipped':>24}{figures(replace(fitted, w_vectors=mix), *scores)}", flush=True)
            for lex in (0.1, 0.2, 0.3):
                for thr in np.arange(0.95, 0.05, -0.01):
                    t = replace(fitted, w_vectors=mix, threshold=round(float(thr), 2), lexicon_threshold=lex)
                    if alarms(ds, dh, t).mean() >= RECALL_FLOOR:
                        break
                print(f"{c_vec:>6}{c_ngr:>6}{calm_w:>7}{mix:>5}{figures(t, *scores)}", flush=True)
                if (
                    t == replace(DangerTuning(), threshold=t.threshold)
                    and lex == DangerTuning().lexicon_threshold
                ):
                    for lang in LANGS:
                        rec = alarms(ds[d_lang == lang], dh[d_lang == lang], t).mean()
                        fa = alarms(cs[c_lang == lang], ch[c_lang == lang], t).mean()
                        print(f"      {lang}: held-out recall {rec:.1%}, alarms on calm {fa:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
