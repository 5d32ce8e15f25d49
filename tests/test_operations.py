"""Deploy and operate: deploy files, setup, webhook with health, hot reload, QR posters."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.adapters.telegram.app import build_application, push_profile
from bot.adapters.telegram.server import SECRET_HEADER, serve_webhook
from bot.cli import build_parser, main
from bot.config import Settings
from bot.core.core import Core
from bot.storage import Storage
from tests.botapi_stub import BotApiStub
from tests.conftest import KNOWLEDGE, LOCALES, ROOT, TOKEN, free_port

DEPLOY = ROOT / "deploy"


def subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)  # type: ignore[arg-type]


def test_dockerfile_paths_exist_and_command_matches_the_cli() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.1[1-9]-slim", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    for source in re.findall(r"^COPY (\S+) ", text, re.M) + [
        p for line in re.findall(r"^COPY (.+) \./$", text, re.M) for p in line.split()
    ]:
        assert (ROOT / source).exists(), source
    cmd = json.loads(re.search(r"^CMD (.+)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert cmd[0] == "guidebot" and cmd[1] in subcommands()
    assert "guidebot check" in text  # a broken knowledge base fails the build


def test_systemd_unit_is_hardened_and_calls_real_commands() -> None:
    text = (DEPLOY / "guidebot.service").read_text(encoding="utf-8")
    values = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    for key in ("NoNewPrivileges", "ProtectSystem", "DynamicUser", "PrivateTmp", "ProtectHome"):
        assert key in values, key
    assert values["ProtectSystem"] == "strict"
    for key in ("ExecStart", "ExecReload", "ExecStartPre"):
        words = values[key].split()
        assert words[0].endswith("/bin/guidebot") and words[1] in subcommands(), key


def test_compose_file_parses_and_runs_real_commands() -> None:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    for name in ("bot", "bot-webhook"):
        command = data["services"][name]["command"]
        assert command[0] == "guidebot" and command[1] in subcommands()
        assert data["services"][name]["volumes"][0].endswith(":/data")
    args = build_parser().parse_args(data["services"]["bot-webhook"]["command"][1:])
    assert args.webhook and args.port == 8443
    assert (
        ROOT
        / data["services"]["bot"]["build"]["context"].replace("..", ".")
        / data["services"]["bot"]["build"]["dockerfile"]
    ).is_file()


def test_every_setting_the_code_reads_is_documented() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    used = set(re.findall(r"GUIDEBOT_[A-Z_]+", code)) - {"GUIDEBOT_"}
    documented = set(
        re.findall(r"^(GUIDEBOT_[A-Z_]+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert used and used <= documented, used - documented


async def test_setup_pushes_commands_and_descriptions_in_four_languages_idempotently(
    stub: BotApiStub, core: Core
) -> None:
    from telegram import Bot

    async with Bot(TOKEN, base_url=stub.url) as bot:
        first = await push_profile(bot, core, "en")
        second = await push_profile(bot, core, "en")
    assert first == {"changed": 15, "unchanged": 0}
    assert second == {"changed": 0, "unchanged": 15}
    assert stub.profile[("Description", "nl")]["description"] == core.t("nl", "bot.description")
    assert stub.profile[("ShortDescription", "pt")]["short_description"] == core.t(
        "pt", "bot.short_description"
    )


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


async def test_webhook_checks_the_secret_serves_health_and_shuts_down_cleanly(
    stub: BotApiStub, core: Core, tmp_path: Path
) -> None:
    settings = Settings(token=TOKEN, base_url=stub.url, db_path=tmp_path / "db.sqlite3")
    storage = Storage(settings.db_path)
    app = build_application(settings, core, storage, rate_limit=False, daily_job=False)
    port, stop, started = free_port(), asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve_webhook(
            app,
            listen="127.0.0.1",
            port=port,
            public_url="https://bot.example.org",
            secret="s3cret",
            stop=stop,
            started=started,
        )
    )
    await asyncio.wait_for(started.wait(), 10)
    hook = stub.calls_to("setWebhook")[0]
    assert (
        hook.params["url"] == "https://bot.example.org/telegram" and hook.params["secret_token"] == "s3cret"
    )
    base = f"http://127.0.0.1:{port}"
    status, body = await asyncio.to_thread(http, "GET", base + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok", "topics": 49, "database": True}
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 5, "type": "private"},
            "from": stub.user(5, "fr"),
            "text": "/daily",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    data = json.dumps(update).encode()
    forged, _ = await asyncio.to_thread(
        http, "POST", base + "/telegram", data, {"Content-Type": "application/json", SECRET_HEADER: "wrong"}
    )
    missing, _ = await asyncio.to_thread(
        http, "POST", base + "/telegram", data, {"Content-Type": "application/json"}
    )
    assert forged == missing == 403
    assert stub.count("sendMessage") == 0
    ok, _ = await asyncio.to_thread(
        http, "POST", base + "/telegram", data, {"Content-Type": "application/json", SECRET_HEADER: "s3cret"}
    )
    assert ok == 200
    offer = await stub.next_call("sendMessage")
    assert "heure de Bruxelles" in offer.text
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "q",
            "from": stub.user(5, "fr"),
            "chat_instance": "c",
            "data": "fr|d:9",
            "message": {
                "message_id": 9,
                "date": int(time.time()),
                "chat": {"id": 5, "type": "private"},
                "text": "x",
            },
        },
    }
    await asyncio.to_thread(
        http,
        "POST",
        base + "/telegram",
        json.dumps(press).encode(),
        {"Content-Type": "application/json", SECRET_HEADER: "s3cret"},
    )
    stop.set()  # what SIGTERM does: the subscription change in flight must not be lost
    await asyncio.wait_for(task, 20)
    reopened = Storage(settings.db_path)
    await reopened.open()
    try:
        assert await reopened.subscription(5) is not None
    finally:
        await reopened.close()


async def test_reload_swaps_valid_knowledge_and_keeps_serving_after_an_invalid_edit(
    running_bot: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    guide = running_bot.guide()  # type: ignore[attr-defined]
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "topics" / "coming-out.yaml"
    path.write_text(  # an answer: no model is refitted (a title or question would cost a minute's fit)
        path.read_text(encoding="utf-8").replace("answer: |\n", "answer: |\n    Edited.\n", 1),
        encoding="utf-8",
    )
    assert await guide.reload(knowledge, LOCALES)
    assert guide.core.kb.topics["coming-out"].en.answer.startswith("Edited.")
    path.write_text("id: coming-out\nsection: [broken\n", encoding="utf-8")
    before = guide.core
    assert not await guide.reload(knowledge, LOCALES)
    assert guide.core is before
    log = running_bot.log.getvalue()  # type: ignore[attr-defined]
    assert "reload rejected:" in log and "coming-out.yaml:3: error: YAML syntax" in log


def test_reload_command_validates_then_signals_the_running_bot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal,sys,time; signal.signal(signal.SIGHUP, lambda *a: sys.exit(42)); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        pid = tmp_path / "guidebot.pid"
        pid.write_text(str(child.pid), encoding="utf-8")
        broken = tmp_path / "knowledge"
        shutil.copytree(KNOWLEDGE, broken)
        (broken / "tips.yaml").write_text("tips: [\n", encoding="utf-8")
        assert main(["reload", "--knowledge", str(broken), "--pid", str(pid)]) == 1
        assert "Not reloaded" in capsys.readouterr().err
        assert child.poll() is None
        assert main(["reload", "--pid", str(pid)]) == 0
        assert child.wait(timeout=10) == 42
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)


def test_qr_codes_deep_link_to_a_topic_or_menu_with_the_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], core: Core
) -> None:
    from PIL import Image

    png, svg, pdf, sheet_svg = (tmp_path / n for n in ("t.png", "s.svg", "all.pdf", "all.svg"))
    assert (
        main(["qr", "pronouns-and-names", "--bot-username", "@guide_bot", "--lang", "fr", "--out", str(png)])
        == 0
    )
    assert "https://t.me/guide_bot?start=t_pronouns-and-names" in capsys.readouterr().out
    with Image.open(png) as image:
        assert image.width >= 500 and image.height > image.width  # the title sits under the code
    assert main(["qr", "police", "--bot-username", "guide_bot", "--lang", "nl", "--out", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert core.kb.services["police"].label.nl in text and "<path" in text
    assert main(["qr", "--all", "--bot-username", "guide_bot", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["qr", "--all", "--bot-username", "guide_bot", "--out", str(sheet_svg)]) == 0
    assert sheet_svg.read_text(encoding="utf-8").count("<path") == 5
    assert main(["qr", "no-such-topic", "--bot-username", "guide_bot", "--out", str(png)]) == 1
    assert "neither a topic nor a service" in capsys.readouterr().err


async def test_sighup_reloads_the_running_bot(stub: BotApiStub, core: Core, tmp_path: Path) -> None:
    import os

    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    settings = Settings(token=TOKEN, base_url=stub.url, db_path=tmp_path / "db.sqlite3")
    app = build_application(
        settings,
        core,
        Storage(settings.db_path),
        rate_limit=False,
        daily_job=False,
        sources=(knowledge, LOCALES),
    )
    async with app:
        await app.post_init(app)  # type: ignore[misc]
        try:
            path = knowledge / "topics" / "emergency.yaml"
            path.write_text(
                path.read_text(encoding="utf-8").replace(
                    "<b>In immediate danger", "<b>Reloaded: in immediate danger", 1
                ),
                encoding="utf-8",
            )  # an answer, not a title or question: no model is refitted, the reload takes a second
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(600):
                await asyncio.sleep(0.05)
                if "Reloaded:" in app.bot_data["guide"].core.kb.topics["emergency"].en.answer:
                    break
            assert "Reloaded:" in app.bot_data["guide"].core.kb.topics["emergency"].en.answer
        finally:
            await app.post_shutdown(app)  # type: ignore[misc]


def test_json_logs_are_one_object_per_line_and_redact_the_token() -> None:
    import io
    import logging

    from bot.logs import setup_logging

    stream = io.StringIO()
    handler = setup_logging("INFO", json_lines=True, secrets=(TOKEN,), stream=stream)
    try:
        logging.getLogger("bot.test").info("reply kind=answer lang=fr")
        logging.getLogger("httpx").info(
            "POST https://api.telegram.org/bot%s/sendMessage", TOKEN
        )  # muted below WARNING
        logging.getLogger("telegram.ext").warning("network error for /bot%s/getUpdates", TOKEN)
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(entry["logger"], entry["level"]) for entry in lines] == [
        ("bot.test", "info"),
        ("telegram.ext", "warning"),
    ]
    assert lines[0]["event"] == "reply kind=answer lang=fr"
    assert TOKEN not in stream.getvalue() and "[token]" in lines[1]["event"]
