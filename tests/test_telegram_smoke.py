from tests.conftest import Chat, RunningBot


async def test_start_shows_welcome_and_services(running_bot: RunningBot, chat: Chat) -> None:
    call = await chat.send("/start")
    assert "guidebot" in call.text
    assert any("Health" in label for label in call.button_labels())
