"""Feedback without identities: votes, reasons, wrong cards, questions sent on request, counts."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.adapters.telegram import codec
from bot.core.actions import ReportCard, SendQuestion, ShowReferrals, Vote, WhyNot
from bot.core.core import Core
from bot.core.replies import Count, Input, StoreQuestion
from bot.core.scrub import scrub
from bot.knowledge.examples_file import add_example
from bot.knowledge.loader import load_knowledge
from bot.storage import Storage
from tests.botapi_stub import BotApiStub
from tests.conftest import KNOWLEDGE, Chat, RunningBot


def counts(reply_effects: tuple[object, ...]) -> list[tuple[str, str, str]]:
    return [(e.event, e.topic, e.service) for e in reply_effects if isinstance(e, Count)]


def test_every_answer_asks_if_it_helped_and_a_vote_thanks_without_losing_the_answer(core: Core) -> None:
    answer = core.respond(Input("en", text="how do I ask about pronouns"))
    assert answer.topic_id == "pronouns-and-names"
    labels = [b.label for b in answer.buttons()]
    assert "👍 Helpful" in labels and "👎 Not helpful" in labels
    assert counts(answer.effects) == [("answered", "", ""), ("shown", "pronouns-and-names", "")]

    up = core.respond(Input("en", action=Vote("pronouns-and-names", True)))
    assert up.html.startswith(answer.html) and "Thank you" in up.html
    assert not any(isinstance(b.action, Vote) for b in up.buttons())
    assert counts(up.effects) == [("vote_up", "pronouns-and-names", "")]

    down = core.respond(Input("fr", action=Vote("pronouns-and-names", False)))
    assert [b.label for b in down.rows[0]] == ["Pas ma question", "Pas utile", "Quelque chose est faux"]
    assert "Quel était le problème" in down.html and counts(down.effects) == [
        ("vote_down", "pronouns-and-names", "")
    ]


def test_not_my_question_offers_to_send_it_scrubbed_and_only_on_press(core: Core) -> None:
    asked = "my name is Quillandrix Moor, call 0470 12 34 56 or q@example.org: do we need a form?"
    why = core.respond(Input("en", action=WhyNot("inclusive-forms", "not_mine"), asked=asked))
    assert counts(why.effects) == [("not_mine", "inclusive-forms", "")]
    assert not any(isinstance(e, StoreQuestion) for e in why.effects)  # nothing kept before the press
    send = why.rows[0][0]
    assert send.action == SendQuestion() and "anonymously" in send.label and len(send.label) <= 64

    sent = core.respond(Input("en", action=SendQuestion(), asked=asked))
    stored = [e.text for e in sent.effects if isinstance(e, StoreQuestion)]
    assert stored == ["my name is [name], call [phone] or [email]: do we need a form?"]
    assert "Quillandrix" not in sent.html and "[name]" in sent.html  # the worker sees what is kept
    gone = core.respond(Input("en", action=SendQuestion()))  # 30 minutes later: nothing to send
    assert "no longer in memory" in gone.html and not gone.effects


def test_no_answer_offers_the_inbox_and_a_wrong_card_is_counted_by_card(core: Core) -> None:
    none = core.respond(Input("nl", text="zzkq vlorp mmbx"))
    assert none.kind == "none" and none.rows[0][0].action == SendQuestion()
    assert counts(none.effects) == [("unanswered", "", "")]

    cards = core.respond(Input("en", action=ReportCard("refer-violence-support")))
    names = [b.label for b in cards.buttons() if isinstance(b.action, ReportCard)]
    assert len(names) == len(core.topic_referrals("refer-violence-support")) and names[0].startswith("⚠️")
    second = core.topic_referrals("refer-violence-support")[1]
    thanks = core.respond(Input("pt", action=ReportCard("refer-violence-support", 1)))
    assert counts(thanks.effects) == [("card_wrong", second.id, "")] and "Obrigado/a" in thanks.html
    page = core.respond(Input("en", action=ShowReferrals("refer-violence-support")))
    assert counts(page.effects) == [("referrals", "refer-violence-support", "")]
    assert any(isinstance(b.action, ReportCard) for b in page.buttons())


def test_feedback_buttons_round_trip_and_forged_ones_are_refused(core: Core) -> None:
    for action in (
        Vote("coming-out", True),
        Vote("coming-out", False),
        WhyNot("coming-out", "wrong"),
        SendQuestion(),
        ReportCard("refer-violence-support"),
        ReportCard("refer-violence-support", 2),
    ):
        assert codec.decode(codec.encode("nl", action), core) == ("nl", action)
    for forged in (
        "en|v:coming-out:2",
        "en|w:coming-out:bored",
        "en|c:refer-violence-support:99",
        "en|v:nope:1",
    ):
        assert codec.decode(forged, core) is None


def test_a_topic_opened_from_a_service_menu_is_counted_with_that_service(core: Core) -> None:
    menu = core.respond(Input("en", action=codec.decode("en|s:health:0", core)[1]))  # type: ignore[index]
    opened = core.respond(Input("en", action=menu.buttons()[0].action))
    assert counts(opened.effects) == [("shown", opened.topic_id, "health")]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("mail me at a.b-c@ex.example.org please", "mail me at [email] please"),
        ("see https://x.example/p?q=1 and www.y.be", "see [url] and [url]"),
        ("ask @someone_here", "ask [handle]"),
        ("IBAN BE71 0961 2345 6769 ok", "IBAN [iban] ok"),
        ("NN 85.07.30-033.61 here", "NN [id number] here"),
        ("bel +32 (0)2 123 45 67", "bel [phone]"),
        ("dossier 123456789, code 73019", "dossier [phone], code [number]"),
        ("je m'appelle Awa Diallo et", "je m'appelle [name] et"),
        ("ik heet jan, wat nu", "ik heet [name], wat nu"),
        ("chamo-me Ana Sousa", "chamo-me [name]"),
        ("how do I ask about pronouns", "how do I ask about pronouns"),
    ],
)
def test_scrub_replaces_what_could_identify_someone(text: str, kept: str) -> None:
    assert scrub(text) == kept


def test_retention_deletes_old_counts_and_questions(tmp_path: Path) -> None:
    async def run() -> tuple[list[str], list[str]]:
        storage = Storage(tmp_path / "s.sqlite3")
        await storage.open()
        try:
            for day in (date(2025, 11, 30), date(2025, 12, 2), date(2026, 10, 2)):
                await storage.count(day, "shown", "coming-out", "en", "")
                await storage.add_question(day, "en", f"q {day}")
            await storage.count(date(2026, 10, 2), "shown", "coming-out", "en", "")  # the same cell twice
            await storage.prune_stats(date(2026, 12, 2), keep_months=12)
            return (
                [f"{r.day} {r.n}" for r in await storage.counts()],
                [q.text for q in await storage.questions()],
            )
        finally:
            await storage.close()

    kept_counts, kept_questions = asyncio.run(run())
    assert kept_counts == ["2025-12-02 1", "2026-10-02 2"]  # 12 months back to the day
    assert kept_questions == ["q 2026-10-02"]  # 90 days


def test_inbox_adds_a_question_as_an_example_the_knowledge_still_loads(tmp_path: Path) -> None:
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    add_example(knowledge, "inclusive-forms", "pt", "o formulário  tem só masculino e feminino")
    topic = load_knowledge(knowledge).topics["inclusive-forms"]
    assert topic.pt.questions[-1] == "o formulário tem só masculino e feminino"
    assert topic.en.questions == load_knowledge(KNOWLEDGE).topics["inclusive-forms"].en.questions


async def test_a_second_press_on_the_same_vote_counts_nothing(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    chat = Chat(stub, stub.user(4242, "en"))
    answer = await chat.send("how do I ask about pronouns")
    vote = answer.button("👍")["callback_data"]
    thanked = await chat.press(vote)
    assert "Thank you" in thanked.text and "👍 Helpful" not in thanked.button_labels()
    await chat.press(vote)  # a stale copy of the message, pressed again
    other = await chat.send("what is a safer space")
    await chat.press(other.button("👍")["callback_data"], message_id=556)
    with sqlite3.connect(running_bot.db_path) as db:
        votes = db.execute("SELECT topic, n FROM counts WHERE event = 'vote_up' ORDER BY topic").fetchall()
    assert ("pronouns-and-names", 1) in votes and [n for _, n in votes] == [
        1,
        1,
    ]  # two messages, one vote each
