"""The conversation model: every command in the core, effects as data, navigation words, the codec."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bot.adapters.console import Session, run_console
from bot.adapters.telegram import codec
from bot.core.actions import DailyAt, OpenAll, OpenMenu, OpenTopic, SetLanguage, StopDaily
from bot.core.core import COMMANDS, Core
from bot.core.daily import DAILY_HOURS
from bot.core.markup import plain_text
from bot.core.menus import PAGE_SIZE
from bot.core.replies import Forget, Input, RememberLanguage, Subscribe, Unsubscribe
from bot.lang import LANGS, Lang
from bot.matching.matcher import Match

BACK_WORDS = {"en": "back", "fr": "retour", "nl": "terug", "pt": "voltar"}


def console(core: Core, lang: Lang, script: str) -> str:
    out = io.StringIO()
    assert run_console(core, lang, io.StringIO(script), out) == 0
    return out.getvalue()


@pytest.mark.parametrize("lang", LANGS)
def test_the_console_offers_every_command_in_every_language(core: Core, lang: Lang) -> None:
    out = console(core, lang, "/privacy\n/about\n/help\n/tip\n/language\nquit\n")
    for key in ("privacy", "about", "help", "language.choose", "tip.title"):
        assert plain_text(core.t(lang, key)).split("\n")[0] in out, key
    assert core.t(lang, "none").split(",")[0] not in out  # no command fell through to the matcher


@pytest.mark.parametrize("lang", LANGS)
def test_typed_back_returns_to_the_menu_page_a_topic_was_opened_from(core: Core, lang: Lang) -> None:
    session = Session(lang)
    for step in (Input(lang, command="menu"), Input(lang, action=OpenMenu("police", 1))):
        session.apply(core.respond(step))
    topic = session.last.buttons()[0] if session.last else None
    assert topic is not None and isinstance(topic.action, OpenTopic)
    session.apply(core.respond(session.read("1")))
    assert session.last is not None and session.last.topic_id == topic.action.topic
    back = core.respond(session.read(BACK_WORDS[lang]))
    assert back.kind == "menu" and "(2/" in back.html  # the police menu, page 2


def test_language_daily_stop_and_forget_are_effects_the_adapter_applies(core: Core) -> None:
    chosen = core.respond(Input("en", action=SetLanguage("pt")))
    assert chosen.effects == (RememberLanguage("pt"),) and chosen.lang == "pt"
    offer = core.respond(Input("fr", command="daily"))
    assert [b.action for b in offer.buttons()] == [DailyAt(h) for h in DAILY_HOURS]
    done = core.respond(Input("fr", action=DailyAt(8)))
    assert done.effects == (Subscribe(8, "fr"),) and "08" in done.html
    assert [b.action for b in done.buttons()] == [DailyAt(8, "reflections"), DailyAt(8, "both"), StopDaily()]
    again = core.respond(Input("fr", command="daily", subscribed_hour=8))
    assert core.t("fr", "daily.current", hour="08") in again.html and StopDaily() in [
        b.action for b in again.buttons()
    ]
    stopped = core.respond(Input("nl", command="stop", subscribed_hour=8))
    assert stopped.effects == (Unsubscribe(),) and stopped.html == core.t("nl", "daily.off")
    nothing = core.respond(Input("nl", command="stop"))
    assert nothing.html == core.t("nl", "daily.none")
    assert core.respond(Input("pt", command="forget")).effects == (Forget(),)


def test_the_console_applies_effects_in_memory(core: Core) -> None:
    out = console(core, "en", "/language\n3\n/daily\n2\n/stop\nquit\n")
    assert core.t("nl", "language.set") in out  # pressing [3] switched to Dutch
    assert core.t("nl", "daily.on", hour="08") in out
    assert core.t("nl", "daily.off") in out  # /stop knew the console had subscribed


def test_unsure_means_two_or_three_choices_and_the_menu(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    ranked = (("interpreters", 0.25), ("confidentiality", 0.23), ("first-contact", 0.2), ("autonomy", 0.05))

    def unsure(text: str, lang: Lang, detect: bool = True) -> Match:
        return Match(lang, "clarify", False, ranked)

    monkeypatch.setattr(core.matcher, "match", unsure)
    reply = core.respond(Input("fr", text="interprète confidentiel premier contact"))
    assert reply.kind == "clarify" and reply.html.startswith(core.t("fr", "clarify"))
    actions = [b.action for b in reply.buttons()]
    assert actions[:-1] == [OpenTopic(t) for t, _ in ranked[:3]] and actions[-1] == OpenMenu()
    assert [b.label for b in reply.buttons()][:3] == [core.kb.topics[t].fr.title for t, _ in ranked[:3]]


def test_every_button_the_knowledge_can_make_fits_and_reads_back(core: Core, tmp_path: Any) -> None:
    assert codec.check(core, tmp_path) == []
    data = codec.encode("en", OpenTopic("pronouns-and-names", OpenMenu("health", 1)))
    assert codec.decode(data, core) == ("en", OpenTopic("pronouns-and-names", OpenMenu("health", 1)))


@pytest.mark.parametrize(
    "forged",
    [
        "en|a:²",  # a Unicode digit: int() would take it or raise
        "en|d:²",
        "en|d:٣",
        "en|d:3",  # an hour /daily never offers
        "en|s:health:99",  # a page past the last
        f"en|a:{-(-49 // PAGE_SIZE)}",
        "en|t:coming-out:t:emergency",  # a topic is not a way back
        "en|m:extra",
        "en|" + "é" * 31,  # 62 characters, 66 bytes
        "de|m",
        "en|l:xx",
    ],
)
def test_forged_or_stale_button_data_is_refused(core: Core, forged: str) -> None:
    assert codec.decode(forged, core) is None


def test_oversized_button_data_is_never_sent() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        codec.encode("en", OpenTopic("a" * 70))


def test_deep_links_are_built_and_read_in_one_place(core: Core) -> None:
    for action in (OpenTopic("pronouns-and-names"), OpenMenu("police")):
        assert codec.parse_deep_link(codec.deep_link(action), core) == action
    assert codec.parse_deep_link("t_not-a-topic", core) is None
    assert codec.parse_deep_link("s_nowhere", core) is None


def test_every_command_has_an_answer_and_a_description_in_every_language(core: Core) -> None:
    for lang in LANGS:
        for name in COMMANDS:
            reply = core.respond(Input(lang, command=name))
            assert reply.html and reply.html != core.t(lang, "unknown_command"), name
            assert core.strings.messages[lang].get(f"cmd.{name}"), (lang, name)


def test_pages_offered_are_exactly_the_pages_shown(core: Core) -> None:
    last = core.pages(None) - 1
    assert core.offers(OpenAll(last)) and not core.offers(OpenAll(last + 1))
    shown = core.respond(Input("en", action=OpenAll(last)))
    assert f"{last + 1}/{last + 1}" in shown.html


@pytest.mark.parametrize("lang", LANGS)
def test_every_listed_referral_card_is_on_a_page_a_phone_can_show(core: Core, lang: Lang) -> None:
    """Issue 12: cards past 3,896 characters used to be dropped silently."""
    from bot.core.actions import ShowReferrals
    from bot.core.answers import CARDS_PER_PAGE
    from bot.core.base import TELEGRAM_LIMIT
    from bot.core.markup import escape

    for topic_id, topic in core.kb.topics.items():
        shown, action, pages = "", ShowReferrals(topic_id), 0
        while action is not None:
            assert core.offers(action)
            reply = core.respond(Input(lang, action=action))
            pages += 1
            assert len(reply.html) <= TELEGRAM_LIMIT and len(reply.html.split("\n\n")) - 1 <= CARDS_PER_PAGE
            shown += reply.html
            nexts = [
                b.action
                for b in reply.buttons()
                if isinstance(b.action, ShowReferrals) and b.action.page == pages
            ]
            action = nexts[0] if nexts else None
        for ref_id in topic.referrals:
            name = escape(core.kb.referrals[ref_id].display_name(lang))
            assert f"<b>{name}</b>" in shown, (topic_id, lang, ref_id)
        assert pages >= -(-len(topic.referrals) // CARDS_PER_PAGE)


@pytest.mark.parametrize(
    ("lang", "text", "kind", "topic"),
    [
        ("pt", "obrigado", "greeting", None),
        ("pt", "Obrigada!", "greeting", None),
        ("en", "<b>pronouns</b>", "answer", "pronouns-and-names"),
        ("en", "how to ask <i>pronouns</i>?", "answer", "pronouns-and-names"),
    ],
)
def test_thanks_are_small_talk_and_markup_does_not_stop_a_match(
    core: Core, lang: Lang, text: str, kind: str, topic: str | None
) -> None:
    reply = core.respond(Input(lang, text=text))
    assert (reply.kind, reply.topic_id) == (kind, topic)


@pytest.mark.parametrize("lang", LANGS)
def test_sos_and_an_emergency_button_everywhere(core: Core, lang: Lang) -> None:
    sos = core.respond(Input(lang, command="sos"))
    assert sos.kind == "emergency" and "112" in sos.html
    emergency = OpenTopic("emergency")
    assert emergency not in [b.action for b in sos.buttons()]  # not a button to itself
    for screen in (
        core.respond(Input(lang, action=OpenTopic("pronouns-and-names"))),
        core.respond(Input(lang, action=OpenMenu("health"))),
        core.respond(Input(lang, action=OpenAll())),
        core.respond(Input(lang, command="menu")),
    ):
        assert emergency in [b.action for b in screen.buttons()], screen.kind


@pytest.mark.parametrize("lang", LANGS)
def test_a_region_button_shows_the_cards_serving_it_and_the_national_ones(core: Core, lang: Lang) -> None:
    from bot.core.actions import NATIONAL, REGIONS, ShowReferrals
    from bot.core.markup import escape

    topic = core.kb.topics["refer-violence-support"]
    first = core.respond(Input(lang, action=ShowReferrals(topic.id)))
    choices = [b.action for b in first.buttons() if isinstance(b.action, ShowReferrals) and b.action.region]
    assert [a.region for a in choices] == list(REGIONS)  # not stored anywhere: it lives in the button
    for region in REGIONS:
        shown, action = "", ShowReferrals(topic.id, 0, region)
        while action is not None:
            reply = core.respond(Input(lang, action=action))
            shown += reply.html
            nexts = [
                b.action
                for b in reply.buttons()
                if isinstance(b.action, ShowReferrals)
                and b.action.region == region
                and b.action.page > action.page
            ]
            action = nexts[0] if nexts else None
        for ref_id in topic.referrals:
            ref = core.kb.referrals[ref_id]
            serves = not ref.region or bool({region, *NATIONAL} & set(ref.region))
            assert (f"<b>{escape(ref.display_name(lang))}</b>" in shown) == serves, (region, ref_id)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "who do I refer her to"),
        ("fr", "quel numéro appeler ?"),
        ("nl", "welk nummer bellen?"),
        ("pt", "que número ligar?"),
    ],
)
def test_a_short_follow_up_asking_for_contacts_gets_the_cards_of_the_topic_just_read(
    core: Core, lang: Lang, text: str
) -> None:
    after = core.respond(Input(lang, text=text, last_topic="responding-to-disclosure"))
    alone = core.respond(Input(lang, text=text))
    if after.kind != "emergency":  # the emergency page (numbers first) may win: safety first
        assert (after.kind, after.topic_id) == ("referrals", "responding-to-disclosure")
    assert alone.topic_id != "responding-to-disclosure" or alone.kind != "referrals"
