"""The shape the architecture promises (docs/architecture.md), and the CLI's promises to scripts."""

from __future__ import annotations

import ast
import asyncio
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.storage import SCHEMA_VERSION, Storage
from tests.conftest import ROOT, run_bot

BOT = ROOT / "bot"
MAX_MODULE_LINES = 300


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}


def test_modules_are_small_and_telegram_stays_in_its_adapter() -> None:
    for path in BOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES, rel
        if "adapters/telegram" not in str(rel):
            assert not any(m == "telegram" or m.startswith("telegram.") for m in _imports(path)), rel


def test_only_the_settings_read_the_environment() -> None:
    readers = [
        p.relative_to(ROOT) for p in BOT.rglob("*.py") if "os.environ" in p.read_text(encoding="utf-8")
    ]
    assert readers == [Path("bot/config.py")]


def test_every_flag_the_readme_shows_exists() -> None:
    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[attr-defined]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"`guidebot (\w+)([^`]*)`", readme)
    assert len(shown) >= 8
    for command, rest in shown:
        flags = {o for a in subs[command]._actions for o in a.option_strings}
        for flag in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", rest):
            assert flag in flags, f"README shows `guidebot {command} {flag}`, the parser has {sorted(flags)}"


def test_a_bad_setting_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot(["run"], tmp_path, GUIDEBOT_WEBHOOK_PORT="abc", GUIDEBOT_TELEGRAM_TOKEN="1:x")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: GUIDEBOT_WEBHOOK_PORT must be a port number (1-65535), not 'abc'."
    ]


def test_check_says_when_it_could_not_compare_with_the_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert main(["check", "-q", "--facts", str(missing), "--spec", str(missing)]) == 0
    err = capsys.readouterr().err
    assert "facts file not found" in err and "NOT compared" in err and "1 errors" not in err
    assert main(["check", "-q", "--strict", "--facts", str(missing), "--spec", str(missing)]) == 1


def test_a_first_version_database_keeps_its_subscriptions(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (1)")
        db.execute(
            "CREATE TABLE subscriptions (chat_id INTEGER PRIMARY KEY, lang TEXT NOT NULL "
            "CHECK (lang IN ('en', 'fr', 'nl', 'pt')), hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23))"
        )
        db.execute("INSERT INTO subscriptions VALUES (7, 'nl', 9)")

    async def upgrade() -> tuple[int, object]:
        storage = Storage(path)
        await storage.open()
        try:
            return await storage.version(), await storage.subscription(7)
        finally:
            await storage.close()

    version, sub = asyncio.run(upgrade())
    assert version == SCHEMA_VERSION and sub is not None and (sub.lang, sub.hour) == ("nl", 9)  # type: ignore[attr-defined]
    with sqlite3.connect(path) as db:
        schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'subscriptions'").fetchone()[0]
    assert "'en'" not in schema  # a fifth language needs no migration


def test_a_rejected_token_is_one_clear_line_and_exit_2_never_a_traceback(tmp_path: Path) -> None:
    import http.server
    import json
    import threading

    class Unauthorized(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = "123456:REJECTEDcanaryTOKEN"
    try:
        result = run_bot(
            ["run"],
            tmp_path,
            timeout=120,
            GUIDEBOT_TELEGRAM_TOKEN=token,
            GUIDEBOT_TELEGRAM_BASE_URL=f"http://127.0.0.1:{server.server_port}/bot",
            GUIDEBOT_DB=str(tmp_path / "db.sqlite3"),
        )
    finally:
        server.shutdown()
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert "REJECTEDcanary" not in output and "Traceback" not in output
    assert output.strip().splitlines() == [
        "Error: Telegram rejected the token (check GUIDEBOT_TELEGRAM_TOKEN)"
    ]


def test_a_crash_in_a_thread_reaches_stderr_as_one_redacted_line() -> None:
    code = (
        "import threading; from bot.logs import install_last_resort; install_last_resort('123:CANARYtok'); "
        "t = threading.Thread(target=lambda: (_ for _ in ()).throw(OSError('at 123:CANARYtok'))); "
        "t.start(); t.join(); raise KeyError('123:CANARYtok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stderr.splitlines() == ["Error: OSError: at [token]", "Error: KeyError: '[token]'"]
