"""The semantic signals and the danger detector: what a worker and a curator notice of them."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.core.core import Core
from bot.core.replies import Input
from bot.knowledge.models import DangerLexicon
from bot.matching.danger import MAX_PIECES, pieces, read
from bot.matching.encoder import EmbeddingCache, Vectors, default_encoder
from bot.matching.lexicon import Lexicon
from tests.conftest import KNOWLEDGE


class Counting:
    """The real encoder, recording what it was asked to encode."""

    def __init__(self) -> None:
        self.inner = default_encoder()
        self.name = self.inner.name
        self.dim = self.inner.dim
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def test_cache_embeds_only_texts_it_has_not_seen(tmp_path: Path) -> None:
    enc = Counting()
    first = EmbeddingCache(enc, tmp_path).embed(["how do I ask about pronouns", "interpreter briefing"])
    again = EmbeddingCache(enc, tmp_path)  # a restart: a new cache object over the same folder
    both = again.embed(["how do I ask about pronouns", "interpreter briefing", "a new example question"])
    assert enc.calls == [["how do I ask about pronouns", "interpreter briefing"], ["a new example question"]]
    assert np.allclose(both[:2], first)
    assert both.shape == (3, 512) and np.allclose(np.linalg.norm(both, axis=1), 1, atol=1e-3)


def test_a_damaged_cache_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    enc = Counting()
    cache = EmbeddingCache(enc, tmp_path)
    cache.embed(["first"])
    assert cache.path is not None
    cache.path.write_bytes(b"not an npz file")
    vectors = EmbeddingCache(enc, tmp_path).embed(["first"])
    assert vectors.shape == (1, 512) and enc.calls == [["first"], ["first"]]


def test_trained_weights_are_reused_until_the_material_changes(tmp_path: Path) -> None:
    cache = EmbeddingCache(Counting(), tmp_path)
    fits: list[int] = []

    def fit() -> dict[str, np.ndarray]:
        fits.append(1)
        return {"w": np.arange(3.0) + len(fits)}

    assert cache.trained("demo", ["a", "b"], fit)["w"].tolist() == [1.0, 2.0, 3.0]
    assert cache.trained("demo", ["a", "b"], fit)["w"].tolist() == [1.0, 2.0, 3.0]
    assert len(fits) == 1
    assert cache.trained("demo", ["a", "b", "c"], fit)["w"].tolist() == [2.0, 3.0, 4.0]
    assert len(fits) == 2
    assert len(list(tmp_path.glob("demo-*.npz"))) == 1  # the stale weights are removed


def test_semantic_signal_finds_a_topic_without_shared_words(core: Core) -> None:
    """No word of the question is in the topic's examples; its meaning is."""
    vector = core.matcher.cache.encoder.encode(["the guy at the desk told me he likes men, now what"])[0]
    sim = core.matcher.semantic.similarity(vector, "en")
    best = core.matcher.topic_ids[int(np.argmax(sim[:-1]))]
    assert best in {"responding-to-disclosure", "coming-out"}, best


def test_lexicon_matches_stems_gaps_and_stars_in_order() -> None:
    lexicon = Lexicon(
        DangerLexicon(
            en={"x": ("took * pills", "end my life")}, fr={}, nl={"y": ("zelfmoord plegen",)}, pt={}
        )
    )
    assert lexicon.find("she took all of her pills", ("en",)) == ("x", "took * pill")
    assert lexicon.find("He wants to END MY LIFE", ("en",)) is not None
    assert lexicon.find("hij zegt zelfmoord te willen plegen", ("nl",)) is None  # two words between
    assert lexicon.find("hij zegt zelfmoord te plegen", ("nl",)) is not None  # one word between
    assert lexicon.find("pills she took", ("en",)) is None  # order matters
    assert lexicon.find("she took all of her pills", ("nl",)) is None  # only the languages asked for


def test_windows_borrow_their_sentence_vector_so_the_encoder_runs_once_per_sentence() -> None:
    enc = Counting()
    one = "At the desk today a man told me a long story about his flat, his papers, his debts, his job and his family,"
    text = one + " and then he said his brother is waiting outside with a knife for his sister. Thanks"
    parts, vectors = read(text, enc)
    assert len(parts) > 3 and vectors.shape == (len(parts), 512)
    assert len(enc.calls) == 1 and len(enc.calls[0]) < len(parts)  # windows are not encoded
    assert any("waiting outside with a knife" in p and len(p.split()) <= 14 for p in parts)


def test_the_clause_pass_encodes_only_clauses_not_read_before() -> None:
    """A lexicon cue in a diluted message reads its clauses; the message itself is not encoded twice."""
    enc = Counting()
    text = "her ex is outside with a knife right now, which violence support line should she call"
    _, vectors = read(text, enc)
    again = read(text, enc, always=True, known={text: vectors[0]})
    assert enc.calls == [
        [text],
        ["her ex is outside with a knife right now,", "which violence support line should she call"],
    ]
    fresh = read(text, Counting(), always=True)
    assert again[0] == fresh[0] and np.allclose(again[1], fresh[1], atol=1e-5)


def test_a_long_paste_is_read_in_bounded_pieces() -> None:
    text = " ".join(f"w{i}" for i in range(900))[:4096]
    assert len(pieces(text)) == MAX_PIECES
    assert pieces("short question") == ["short question"]
    short = "We met at the desk. She says he is waiting outside with a knife. Thanks"
    assert pieces(short) == [short]  # a short message is judged as a whole, its context kept
    long = (
        "We met at the desk this morning for the housing file, the rent arrears and the letters from the "
        "landlord, then the school forms for her two children. She says he is waiting outside with a "
        "knife. Thanks"
    )
    assert "She says he is waiting outside with a knife." in pieces(long)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "she gave her phone and her jacket to her roommate and said she won't need them after tonight",
        ),
        ("fr", "il a envoyé un message d'adieu à sa soeur et il est parti vers le pont"),
        ("nl", "een bewoonster ligt op de grond te schokken en reageert niet"),
        ("pt", "o ex-companheiro dela está lá em baixo no portão e diz que hoje ela não escapa"),
        (
            "en",
            "long intake today, paperwork, housing, and then he mentioned the rope in his bag, he has it now",
        ),
        ("fr", "mon client dit que ses frères l'attendent devant le centre pour l'emmener au pays ce soir"),
    ],
)
def test_indirect_danger_gets_the_numbers_first(core: Core, lang: str, text: str) -> None:
    reply = core.respond(Input(lang, text=text))  # type: ignore[arg-type]
    assert reply.kind == "emergency" and "112" in reply.html.split("\n\n")[1], (reply.match, reply.html[:120])


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "this new intake form is killing me, where do I put the chosen name"),
        ("fr", "elle a été agressée dans son pays il y a trois ans, vers qui l'orienter pour un suivi"),
        ("nl", "hoe trainen we ons team om suïciderisico te herkennen"),
        ("pt", "como falar de violência doméstica numa formação para professores"),
    ],
)
def test_idioms_past_violence_and_training_questions_are_no_alarm(core: Core, lang: str, text: str) -> None:
    reply = core.respond(Input(lang, text=text))  # type: ignore[arg-type]
    assert reply.kind != "emergency", reply.match


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "A client came back today after her appointment at the commune about her residence card. She "
            "says the clerk looked at her and at her wife and asked which one was the man. She went quiet "
            "and left. She just keeps quiet now when I ask about it. How do I bring it up again without "
            "pushing her?",
        ),
        (
            "nl",
            "Een leerling van het vierde middelbaar vertelde me op het CLB dat ze op meisjes valt. Ze "
            "klapte daarna helemaal dicht. Haar ouders weten van niks en ze wil niet dat we hen "
            "contacteren. Hoe ga ik verder met de begeleiding zonder haar vertrouwen te beschamen?",
        ),
    ],
)
def test_a_long_calm_situation_is_no_alarm_because_of_one_sad_sentence(
    core: Core, lang: str, text: str
) -> None:
    """A long message is read in pieces; "she went quiet and left" alone must not sound like danger."""
    reply = core.respond(Input(lang, text=text))  # type: ignore[arg-type]
    assert reply.kind != "emergency", reply.match


def test_a_false_alarm_still_shows_the_guidance_asked_for(core: Core) -> None:
    """Danger and a question in one message: the numbers first, then the topic, in the same reply."""
    reply = core.respond(
        Input(
            "en", text="her ex is outside with a knife right now, which violence support line should she call"
        )
    )
    assert reply.kind == "emergency"
    text = reply.html
    asked = reply.match.topics[1] if reply.match else ""
    title = core.kb.topics[asked].text("en").title
    assert text.index("112") < text.index(title), text
    assert reply.rows[0][0].label.endswith(title)
    assert [b.label for row in reply.rows for b in row].count(reply.rows[0][0].label) == 1


def test_check_reports_corpus_problems_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kb)
    (kb / "danger" / "zz-broken.yaml").write_text(
        "author: zz-broken\nbrief: test\nen:\n  danger:\n    - he is on the roof now\n"
        "  calm:\n    - he is on the roof now\nfr:\n  danger: [x]\n  calm: [y]\nnl:\n  danger: [x]\n"
        "  calm: [y]\n",
        encoding="utf-8",
    )
    assert main(["check", "--knowledge", str(kb)]) == 1
    err = capsys.readouterr().err
    assert f"{kb}/danger/zz-broken.yaml:1: error: pt: field required" in err
    assert "Traceback" not in err
    (kb / "danger" / "zz-broken.yaml").write_text(
        "author: zz-broken\nbrief: test\n"
        + "".join(
            f"{lang}:\n  danger:\n    - he is on the roof now\n  calm:\n    - fine\n"
            for lang in ["en", "fr", "nl", "pt"]
        ).replace("    - fine\n", "    - he is on the roof now\n", 1),
        encoding="utf-8",
    )
    assert main(["check", "--knowledge", str(kb)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{kb}/danger/zz-broken.yaml:7: error: en.calm.0: also written as a danger message elsewhere" in err
    )


def test_the_loaded_bot_runs_blas_on_one_thread(core: Core) -> None:
    """Two BLAS threads on two busy cores made one encoder 100x slower (benchmarks/encoder.py)."""
    from threadpoolctl import threadpool_info

    blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and set(blas) == {1}


def test_an_unwritable_cache_costs_time_not_answers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = EmbeddingCache(Counting(), blocker / "cache")  # mkdir under a regular file fails
    assert cache.embed(["how do I ask about pronouns"]).shape == (1, 512)
    assert cache.trained("demo", ["a"], lambda: {"w": np.ones(2)})["w"].tolist() == [1.0, 1.0]
    assert "embedding cache not written" in caplog.text and "demo not cached" in caplog.text


def test_the_regexes_that_read_user_text_cannot_backtrack() -> None:
    """Issue 11: a pattern like `dreigt\\w*\\s.*\\s?dood` took 1.3 s on 21 KB. The patterns that see
    a worker's text have no wildcard run and no quantified group, so they are linear."""
    import re

    from bot.core import scrub
    from bot.matching import danger, normalise

    for pattern in (normalise._NON_WORD, danger._SENTENCE, danger._CLAUSE, *scrub.PATTERNS):
        source = pattern.pattern
        assert ".*" not in source and ".+" not in source, source
        assert not re.search(r"\)[*+?{]", source), source  # no quantified group
    worst = "dreigt " * 600 + "x" * 4  # the old quadratic input, at the 4,096-character cap
    assert danger._SENTENCE.split(worst) == [worst] and danger.pieces(worst)[0] == worst
