"""The matcher as a worker on a shift meets it: typos, four languages, danger first, honest refusals."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.codec import decode
from bot.core.core import Core
from bot.core.replies import Input
from bot.evaluation import evaluate, load_items
from bot.matching.normalise import fold
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dev_report(core: Core) -> dict[str, object]:
    return evaluate(core, load_items(ROOT / "tests" / "eval" / "dev.yaml"))


def test_dev_set_floors_hold(dev_report: dict[str, object]) -> None:
    overall = dev_report["overall"]
    assert isinstance(overall, dict)
    assert overall["n"] + overall["emergency_n"] >= 49 * 3 * 4 and overall["skipped"] == 0
    assert overall["top1"] >= 0.92, overall
    assert overall["answer_precision"] >= 0.95, overall
    assert overall["oos_refused"] >= 0.85, overall
    assert overall["emergency_recall"] == 1.0, overall
    assert overall["false_alarms"] <= 0.05, overall


def test_every_language_stays_useful(dev_report: dict[str, object]) -> None:
    by_lang = dev_report["by_lang"]
    assert isinstance(by_lang, dict)
    for lang, figures in by_lang.items():
        assert figures["top1"] >= 0.88, (lang, figures)
        assert figures["oos_refused"] >= 0.8, (lang, figures)


def test_folding_removes_case_accents_and_punctuation() -> None:
    assert fold("Sécurité, S.V.P.!  Où?") == "securite s v p ou"


@pytest.mark.parametrize(
    ("lang", "question", "topic"),
    [
        ("en", "how do i ask someone for there pronons", "pronouns-and-names"),
        ("fr", "comment briefer l interprete avant l entretien", "interpreters"),
        ("nl", "een collega maakt een homofobe grap", "challenging-colleagues"),
        ("pt", "o que e uma pessoa intersexo", "intersex-people"),
        ("nl", "klacht over homofoob geweld op het politiekantoor", "police-hate-crime"),
    ],
)
def test_typos_and_missing_accents_still_find_the_topic(
    core: Core, lang: str, question: str, topic: str
) -> None:
    match = core.matcher.match(question, lang)  # type: ignore[arg-type]
    assert match.decision != "none" and match.topics[0] == topic, match


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my client says she is going to kill herself tonight"),
        ("fr", "un résident menace de sauter par la fenêtre"),
        ("nl", "hij heeft een mes en bedreigt haar"),
        ("pt", "ele está a bater-lhe agora mesmo"),
        ("en", "her brothers are coming to kill her"),
    ],
)
def test_danger_comes_first_whatever_else_matches(core: Core, lang: str, text: str) -> None:
    reply = core.respond(Input(lang, text=text))  # type: ignore[arg-type]
    assert reply.kind == "emergency" and reply.topic_id == "emergency"
    assert "112" in reply.html


@pytest.mark.parametrize(
    "text",
    [
        "suicide prevention training for our staff",
        "emergency accommodation for a gay asylum seeker",
        "mes collègues font des blagues",
        "o que faça com os formulários",
    ],
)
def test_domain_words_alone_do_not_raise_a_false_alarm(core: Core, text: str) -> None:
    match = core.matcher.match(text, "en")
    assert not match.emergency, match.verdict


def test_greetings_thanks_and_help_get_a_friendly_line_and_menus(core: Core) -> None:
    for lang, text in (("en", "hi"), ("fr", "merci beaucoup"), ("nl", "hulp"), ("pt", "olá bom dia")):
        reply = core.respond(Input(lang, text=text))  # type: ignore[arg-type]
        assert reply.kind == "greeting", (text, reply.html)
        assert len(reply.buttons()) >= 6


def test_unsure_means_two_or_three_choices_not_a_guess(core: Core) -> None:
    reply = core.respond(Input("en", text="safe space"))
    if reply.kind == "clarify":
        assert 2 <= len(reply.buttons()) - 1 <= 3
    else:
        assert reply.kind == "answer" and reply.topic_id == "safer-space-definition"


def test_noise_is_refused_quickly_and_safely(core: Core) -> None:
    reply = core.respond(Input("en", text="zxq vbn " * 500))
    assert reply.kind == "none" and "no reliable answer" in reply.html


def test_button_data_refuses_what_the_bot_did_not_make(core: Core) -> None:
    assert decode("en|t:pronouns-and-names", core) is not None
    for forged in (
        "en|t:../../etc/passwd",
        "en|s:health:-1",
        "en|a:1:2",
        "en|l:de",
        "en|d:25",
        "en|t:emergency:s:nowhere:1",
        "en|" + "x" * 65,
        "",
    ):
        assert decode(forged, core) is None, forged
