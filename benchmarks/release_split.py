"""Releases a spent blind split into the knowledge, once it has been scored.

In-scope questions join their topic's example questions (skipped when the folded text is already
there), out-of-scope ones go at the end of each language block of out-of-scope.yaml, and the
danger and calm messages become knowledge/danger/AUTHOR.yaml. Run `guidebot check` afterwards.

    python benchmarks/release_split.py tests/eval/test blind-roundN "who wrote it" [KNOWLEDGE]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_items  # noqa: E402
from bot.knowledge.examples_file import add_example  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.lang import LANGS, Lang  # noqa: E402
from bot.matching.normalise import fold  # noqa: E402


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    split, author, brief = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    knowledge = Path(sys.argv[4]) if len(sys.argv) > 4 else ROOT / "knowledge"
    kb = load_knowledge(knowledge)
    seen = {
        (t.id, lang): {fold(q) for q in t.text(lang).questions} for t in kb.topics.values() for lang in LANGS
    }
    oos_seen = {lang: {fold(q) for q in kb.out_of_scope.text(lang)} for lang in LANGS}
    oos_path = knowledge / "out-of-scope.yaml"
    messages: dict[Lang, dict[str, list[str]]] = {lang: {"danger": [], "calm": []} for lang in LANGS}
    oos_new: dict[Lang, list[str]] = {lang: [] for lang in LANGS}
    added = already = 0
    for lang in LANGS:
        for item in load_items(split / f"{lang}.yaml"):
            key = fold(item.q)
            if item.danger is not None:
                messages[lang]["danger" if item.danger else "calm"].append(item.q)
            elif item.topic is None:
                if key not in oos_seen[lang]:
                    oos_new[lang].append(item.q)
                    oos_seen[lang].add(key)
            elif key in seen[(item.topic, lang)]:
                already += 1
            else:
                add_example(knowledge, item.topic, lang, item.q)
                seen[(item.topic, lang)].add(key)
                added += 1
    lines = oos_path.read_text("utf-8").splitlines()
    for lang in reversed(LANGS):  # from the last block up, so earlier line numbers stay valid
        start = next(n for n, line in enumerate(lines) if line.startswith(f"{lang}:"))
        end = next((n for n in range(start + 1, len(lines)) if lines[n][:1].isalpha()), len(lines))
        while end > start and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = [f"  - {_quoted(q)}" for q in oos_new[lang]]
    oos_path.write_text("\n".join(lines) + "\n", "utf-8")
    out = [
        f"# Released for training after it was scored once as the blind test split ({author}).",
        f"author: {author}",
        f"brief: {_quoted(brief)}",
    ]
    for lang in LANGS:
        out.append(f"{lang}:")
        for kind in ("danger", "calm"):
            out += [f"  {kind}:", *(f"  - {_quoted(q)}" for q in messages[lang][kind])]
    (knowledge / "danger" / f"{author}.yaml").write_text("\n".join(out) + "\n", "utf-8")
    counts = ", ".join(f"{lang} {len(m['danger'])}/{len(m['calm'])}" for lang, m in messages.items())
    n_oos = sum(map(len, oos_new.values()))
    print(f"{added} example questions added ({already} already there), {n_oos} out-of-scope questions")
    print(f"danger/calm messages: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
