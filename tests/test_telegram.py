"""End to end: the real python-telegram-bot Application against the Bot API stub on 127.0.0.1."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime

from bot.adapters.telegram.tips import broadcast
from bot.core.core import MAX_INPUT_CHARS, Core
from bot.core.daily import BRUSSELS
from tests.botapi_stub import BOT_USERNAME, BotApiStub
from tests.conftest import Chat, RunningBot


def _svc(core: Core, service: str, lang: str) -> str:
    return core.kb.services[service].label.text(lang)  # type: ignore[arg-type,union-attr]


async def test_start_welcomes_in_the_client_language_with_service_menu(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    english = await Chat(stub, stub.user(11, "en")).send("/start")
    assert "not an emergency service" in english.text
    labels = english.button_labels()
    for service in ("health", "police", "education", "housing", "social"):
        assert _svc(core, service, "en") in labels
    assert core.t("en", "btn.all_topics") in labels and core.t("en", "btn.emergency") in labels

    french = await Chat(stub, stub.user(12, "fr-BE")).send("/start")
    assert "Bienvenue" in french.text and "112" in french.text
    assert _svc(core, "health", "fr") in french.button_labels()


async def test_deep_links_open_a_topic_or_a_menu(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    chat = Chat(stub, stub.user(13, "nl"))
    topic = await chat.send("/start t_pronouns-and-names")
    assert core.kb.topics["pronouns-and-names"].nl.title in topic.text
    menu = await chat.send("/start s_police")
    assert _svc(core, "police", "nl") in menu.text
    assert core.kb.topics["police-hate-crime"].nl.title in menu.button_labels()
    unknown = await chat.send("/start t_not-a-topic")
    assert "Welkom" in unknown.text


async def test_menu_navigation_edits_in_place_down_to_referral_cards(
    running_bot: RunningBot, chat: Chat, stub: BotApiStub, core: Core
) -> None:
    start = await chat.send("/start")
    police = await chat.press(start.button(_svc(core, "police", "en"))["callback_data"])
    assert str(police.params["message_id"]) == "555"  # the pressed message, edited in place
    assert "(1/" in police.text and "More topics ›" in police.button_labels()
    first_page = [
        b["text"]
        for b in police.buttons()
        if b["callback_data"].startswith("en|t:") and "🚨" not in b["text"]
    ]
    assert first_page == [core.kb.topics[t].en.title for t in core.kb.services["police"].first]  # curated
    page2 = await chat.press(police.button("More topics")["callback_data"])
    assert "(2/" in page2.text
    rest = [
        b["text"] for b in page2.buttons() if b["callback_data"].startswith("en|t:") and "🚨" not in b["text"]
    ]
    assert rest == sorted(rest, key=str.casefold) and not set(rest) & set(first_page)  # then A to Z
    answer = await chat.press(police.button(core.kb.topics["police-hate-crime"].en.title)["callback_data"])
    assert core.kb.topics["police-hate-crime"].en.title in answer.text
    labels = answer.button_labels()
    assert (
        "📇 Where to refer" in labels and "↗ Share" in labels and "☰ Menu" in labels and "‹ Back" in labels
    )
    assert answer.button("Share")["switch_inline_query"] == "police-hate-crime"
    for related in core.kb.topics["police-hate-crime"].related:
        assert "› " + core.kb.topics[related].en.title in labels
    back = await chat.press(answer.button("Back")["callback_data"])
    assert "(1/" in back.text
    cards = await chat.press(answer.button("Where to refer")["callback_data"])
    first = core.kb.referrals[core.kb.topics["police-hate-crime"].referrals[0]]
    assert first.name in cards.text or first.display_name("en") in cards.text
    assert "Facts checked 2026-11-25" in cards.text
    related = core.kb.topics["police-hate-crime"].related[0]
    edits = stub.count("editMessageText")
    opened = await chat.press(
        answer.button("› " + core.kb.topics[related].en.title)["callback_data"], "sendMessage"
    )
    assert core.kb.topics[related].en.title in opened.text  # a new message: the answer read stays above
    assert stub.count("editMessageText") == edits


async def test_free_text_answers_clarifies_or_says_it_has_no_answer(
    running_bot: RunningBot, chat: Chat, core: Core
) -> None:
    answer = await chat.send("client corrected my pronoun, what now")
    assert core.kb.topics["pronouns-and-names"].en.title in answer.text
    none = await chat.send("weather forecast for tomorrow in brussels")
    assert "no reliable answer" in none.text
    assert _svc(core, "health", "en") in none.button_labels()
    hello = await chat.send("hello")
    assert "Ask me a question" in hello.text and "no reliable answer" not in hello.text


async def test_question_in_another_language_is_answered_in_that_language(
    running_bot: RunningBot, chat: Chat, core: Core
) -> None:
    reply = await chat.send("een collega maakt een homofobe grap, hoe reageer ik daarop")
    assert core.kb.topics["challenging-colleagues"].nl.title in reply.text
    assert "Nederlands" in reply.text  # says why it switched


async def test_danger_gets_emergency_numbers_first_in_every_language(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    for user_id, lang, text in [
        (21, "en", "he has a knife and is threatening her right now"),
        (22, "fr", "il menace de la tuer, il est devant la porte"),
        (23, "nl", "cliënt zegt dat hij vannacht zelfmoord wil plegen"),
        (24, "pt", "ela tomou muitos comprimidos e não acorda"),
    ]:
        reply = await Chat(stub, stub.user(user_id, lang)).send(text)
        assert "112" in reply.text.split("\n\n")[1], (lang, reply.text[:200])


async def test_inline_mode_lists_topics_and_referral_cards(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    stub.inline("pronouns", user=stub.user(31, "en"))
    call = await stub.next_call("answerInlineQuery")
    results = call.params["results"]
    assert results[0]["title"] == core.kb.topics["pronouns-and-names"].en.title
    assert "Shared from guidebot" in results[0]["input_message_content"]["message_text"]
    stub.inline("unia", user=stub.user(32, "fr"))
    cards = await stub.next_call("answerInlineQuery", after=1)
    assert any(
        "Unia" in r["title"] and "0800 12 800" in r["input_message_content"]["message_text"]
        for r in cards.params["results"]
    )
    stub.inline("pronouns-and-names", user=stub.user(33, "pt"))
    shared = await stub.next_call("answerInlineQuery", after=2)
    assert shared.params["results"][0]["title"] == core.kb.topics["pronouns-and-names"].pt.title
    # posted results are counted as shares (forged or unknown result ids first: never counted)
    for result_id in ("t:no-such-topic:en", "r:unia:xx", "forged", "t:pronouns-and-names:pt", "r:unia:fr"):
        stub.chosen(result_id, user=stub.user(34, "en"))
    shares: list[tuple[str, str, str]] = []
    for _ in range(50):  # counts are written once the updates are handled
        await stub.settle(0.1)
        shares = sorted((r.event, r.topic, r.lang) for r in await running_bot.storage.counts())
        if len(shares) >= 2:
            break
    await stub.settle()
    assert sorted((r.event, r.topic, r.lang) for r in await running_bot.storage.counts()) == shares
    assert shares == [("shared", "card:unia", "fr"), ("shared", "pronouns-and-names", "pt")]


async def test_tip_is_the_same_for_everyone_today_and_links_to_its_topic(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    a = await Chat(stub, stub.user(41, "en")).send("/tip")
    b = await Chat(stub, stub.user(42, "en")).send("/tip")
    assert a.text == b.text
    tip = core.tip_of(datetime.now(BRUSSELS).date())
    assert tip.en in a.text
    assert a.button("More")["callback_data"] == f"en|t:{tip.topic}"


async def test_daily_opt_in_stores_only_chat_language_hour_and_stop_erases(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    chat = Chat(stub, stub.user(51, "pt"))
    offer = await chat.send("/daily")
    assert "hora de Bruxelas" in offer.text
    done = await chat.press(offer.button("08:00")["callback_data"])
    assert "08h" in done.text
    with sqlite3.connect(running_bot.db_path) as db:
        assert db.execute("SELECT chat_id, lang, hour FROM subscriptions").fetchall() == [(51, "pt", 8)]
    stopped = await chat.send("/stop")
    assert "paradas" in stopped.text
    with sqlite3.connect(running_bot.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM subscriptions").fetchone() == (0,)
    again = await chat.send("/stop")
    assert "não recebe" in again.text


async def test_group_can_subscribe_and_broadcast_skips_and_removes_blocked_chats(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    storage, guide = running_bot.storage, running_bot.guide()
    group = Chat(stub, stub.user(61, "en"), chat_id=-1001, chat_type="group")
    offer = await group.send(f"/daily@{BOT_USERNAME}")
    await group.press(offer.button("09:00")["callback_data"])
    await storage.subscribe(62, "fr", 9)
    await storage.subscribe(63, "nl", 9)
    await storage.subscribe(64, "en", 10)
    stub.blocked.add(63)
    before = stub.count("sendMessage")
    stats = await broadcast(guide, running_bot.app.bot, datetime(2026, 11, 25, 9, 0, tzinfo=BRUSSELS))
    assert stats == {"sent": 2, "removed": 1, "failed": 0, "unknown": 0}
    sent = stub.calls_to("sendMessage")[before:]
    assert sorted(c.chat_id for c in sent if c.chat_id != 63) == [-1001, 62]
    assert "Conseil pratique" in next(c.text for c in sent if c.chat_id == 62)
    assert await storage.subscription(63) is None and await storage.subscription(64) is not None
    again = await broadcast(guide, running_bot.app.bot, datetime(2026, 11, 25, 9, 40, tzinfo=BRUSSELS))
    assert again == {"sent": 0, "removed": 0, "failed": 0, "unknown": 0}  # once a day, whatever the runs
    later = await broadcast(guide, running_bot.app.bot, datetime(2026, 11, 25, 10, 0, tzinfo=BRUSSELS))
    assert later["sent"] == 1 and stub.calls_to("sendMessage")[-1].chat_id == 64
    tomorrow = await broadcast(guide, running_bot.app.bot, datetime(2026, 11, 26, 9, 0, tzinfo=BRUSSELS))
    assert tomorrow == {"sent": 2, "removed": 0, "failed": 0, "unknown": 0}  # the blocked chat is gone


async def test_language_choice_changes_replies_and_commands_are_registered_per_language(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    registered = {c.params.get("language_code") for c in stub.calls_to("setMyCommands")}
    assert {"en", "fr", "nl", "pt"} <= registered
    fr_commands = next(c for c in stub.calls_to("setMyCommands") if c.params.get("language_code") == "fr")
    assert {"command": "privacy", "description": core.t("fr", "cmd.privacy")} in fr_commands.params[
        "commands"
    ]
    chat = Chat(stub, stub.user(71, "en"))
    choose = await chat.send("/language")
    switched = await chat.press(choose.button("Nederlands")["callback_data"])
    assert "Nederlands" in switched.text
    helped = await chat.send("/help")
    assert "Zo gebruik je guidebot" in helped.text


async def test_privacy_forget_and_about(running_bot: RunningBot, stub: BotApiStub) -> None:
    chat = Chat(stub, stub.user(81, "en"))
    privacy = await chat.send("/privacy")
    assert "chat id" in privacy.text and "language" in privacy.text and "hour" in privacy.text
    await running_bot.storage.subscribe(81, "en", 7)
    forgot = await chat.send("/forget")
    assert "erased" in forgot.text
    assert await running_bot.storage.subscription(81) is None
    about = await chat.send("/about")
    assert "Equalcity" in about.text and "not the official toolbox" in about.text


async def test_groups_hear_only_commands_and_mentions(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    member = stub.user(91, "en")
    group = Chat(stub, member, chat_id=-2002, chat_type="supergroup")
    before = stub.count("sendMessage")
    stub.message("lunch at noon? also what are pronouns", user=member, chat_id=-2002, chat_type="supergroup")
    stub.message("/help@some_other_bot", user=member, chat_id=-2002, chat_type="supergroup")
    stub.message("/nonsense", user=member, chat_id=-2002, chat_type="supergroup")
    await stub.settle(0.6)
    assert stub.count("sendMessage") == before
    mention = await group.send(f"@{BOT_USERNAME} client corrected my pronoun what now")
    assert core.kb.topics["pronouns-and-names"].en.title in mention.text
    helped = await group.send(f"/help@{BOT_USERNAME}")
    assert "How to use guidebot" in helped.text


async def test_bad_inputs_get_short_polite_replies_never_a_crash(
    running_bot: RunningBot, chat: Chat, stub: BotApiStub, core: Core
) -> None:
    sticker = await chat.send(
        None,
        sticker={
            "file_id": "x",
            "file_unique_id": "y",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        },
    )
    assert "only read text" in sticker.text
    photo = await chat.send(None, photo=[{"file_id": "p", "file_unique_id": "q", "width": 1, "height": 1}])
    assert "only read text" in photo.text
    unknown = await chat.send("/frobnicate")
    assert "don't know that command" in unknown.text
    noise = await chat.send(("asdf qwer zxcv " * 300)[:MAX_INPUT_CHARS])
    assert "very long" in noise.text
    before = stub.count("sendMessage") + stub.count("answerCallbackQuery")
    stub.message("edited text", user=chat.user, kind="edited_message")
    await stub.settle(0.4)
    assert stub.count("sendMessage") + stub.count("answerCallbackQuery") == before  # edits are ignored
    forgeries = (
        "en|t:not-a-topic",
        "garbage",
        "xx|m",
        "en|s:health:999999",
        "en|t:emergency:s=nowhere=1",
        "en|a:²",  # a Unicode digit
        "en|d:²",
        "en|d:3",  # an hour /daily never offers
        "",
    )
    for user_id, forged in enumerate(forgeries, 200):  # one chat each: the flood guard is tested elsewhere
        n = stub.count("answerCallbackQuery")
        stub.press(forged, user=stub.user(user_id, "en"))
        answered = await stub.next_call("answerCallbackQuery", after=n)
        assert answered.params.get("text") == core.t("en", "expired")


async def test_an_internal_error_is_reported_to_the_user_and_logged_by_type_only(
    running_bot: RunningBot, chat: Chat, monkeypatch: object
) -> None:
    guide = running_bot.guide()

    def boom(event: object) -> object:
        raise ZeroDivisionError("secret detail")

    guide.core = type("Broken", (), {"respond": staticmethod(boom), "t": guide.core.t, "kb": guide.core.kb})()
    reply = await chat.send("anything at all")
    assert "something went wrong" in reply.text
    log = running_bot.log.getvalue()
    assert "update failed: ZeroDivisionError" in log and "secret detail" not in log


async def test_a_flooding_chat_does_not_slow_down_others(running_bot: RunningBot, stub: BotApiStub) -> None:
    flooder = stub.user(101, "en")
    before = stub.count("sendMessage")
    for _ in range(50):
        stub.message("pronouns", user=flooder)
    calm = Chat(stub, stub.user(102, "en"))
    started = asyncio.get_running_loop().time()
    reply = await calm.send("how do I ask for pronouns")
    assert "pronouns" in reply.text.lower()
    assert asyncio.get_running_loop().time() - started < 3
    await stub.settle(0.5)
    to_flooder = [c for c in stub.calls_to("sendMessage")[before:] if c.chat_id == 101]
    assert 10 <= len(to_flooder) <= 14  # a burst of answers, one warning, then silence
    assert sum("very fast" in c.text for c in to_flooder) == 1


async def test_a_follow_up_leans_on_the_topic_just_read_until_forget(
    running_bot: RunningBot, chat: Chat, core: Core
) -> None:
    first = await chat.send("a client just told me she was raped, how do I respond")
    topic = core.kb.topics["responding-to-disclosure"]
    assert topic.en.title in first.text
    cards = await chat.send("who do I refer her to")
    assert core.t("en", "referrals.title", topic=topic.en.title) in cards.text
    await chat.send("/forget")
    alone = await chat.send("who do I refer her to")  # the memory of the last topic is gone too
    assert core.t("en", "referrals.title", topic=topic.en.title) not in alone.text


async def test_forward_sends_the_answer_with_a_link_as_a_new_message(
    running_bot: RunningBot, chat: Chat, stub: BotApiStub, core: Core
) -> None:
    answer = await chat.send("how do I ask someone's pronouns")
    forward = answer.button("Forward")
    assert forward["callback_data"] == "en|h:pronouns-and-names" and "switch_inline_query" not in forward
    shared = await chat.press(forward["callback_data"], "sendMessage")  # no inline mode needed
    assert core.kb.topics["pronouns-and-names"].en.title in shared.text
    assert f"https://t.me/{BOT_USERNAME}?start=t_pronouns-and-names" in shared.text
    assert core.t("en", "share.footer") in shared.text and shared.buttons() == []
