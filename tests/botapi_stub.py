"""A Telegram Bot API stand-in on 127.0.0.1 for end-to-end tests.

It serves what python-telegram-bot calls (getMe, getUpdates, sendMessage, ...), feeds it user
updates, and records every call so tests can assert what a person would see. The real library
talks to it over HTTP; nothing in python-telegram-bot is mocked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_ID = 7000000001
BOT_USERNAME = "guide_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when the stub received it

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button_labels(self) -> list[str]:
        return [b["text"] for b in self.buttons()]

    def button(self, label_part: str) -> dict[str, Any]:
        for b in self.buttons():
            if label_part in b["text"]:
                return b
        raise AssertionError(f"no button with {label_part!r} in {self.button_labels()}")


@dataclass
class Fault:
    """What the stub does instead of answering one call normally."""

    status: int = 500  # with an error payload; 200 with bad_json for a garbled answer
    retry_after: int | None = None  # 429's parameters.retry_after
    drop: bool = False  # record the call (it "arrived"), then close the connection without answering
    delay: float = 0.0  # answer normally, this many seconds late
    bad_json: bool = False
    chat_id: int | None = None  # only for calls to this chat (None: the next call, whichever chat)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": f"Injected {self.status}",
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class BotApiStub:
    token: str
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    raw_requests: list[bytes] = field(default_factory=list)
    profile: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # per method, used up in order
    failed: list[Call] = field(default_factory=list)  # calls answered with a fault (not delivered)

    def inject(self, method: str, *faults: Fault) -> None:
        with self._cond:
            self.faults.setdefault(method, []).extend(faults)

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._cond:
            queue = self.faults.get(method, [])
            for i, fault in enumerate(queue):
                if fault.chat_id is None or str(fault.chat_id) == str(params.get("chat_id")):
                    return queue.pop(i)
            return None

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ server

    def start(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                stub.raw_requests.append(body)
                method = self.path.rsplit("/", 1)[-1]
                fault = stub._take_fault(method, stub._params(self.headers.get("Content-Type", ""), body))
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                    fault = None
                if fault is not None and (fault.drop or fault.bad_json):
                    status, payload = stub.handle(self.path, self.headers.get("Content-Type", ""), body)
                    if fault.drop:  # it arrived; the answer is lost
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    data = b'{"ok": true, "result": '
                elif fault is not None:
                    stub.failed.append(Call(method, stub._params(self.headers.get("Content-Type", ""), body)))
                    status, data = fault.status, json.dumps(fault.payload()).encode()
                else:
                    status, payload = stub.handle(self.path, self.headers.get("Content-Type", ""), body)
                    data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (e.g. a long poll cancelled at shutdown)

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # PTB opens many connections at once under load

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            with self._cond:
                self._cond.notify_all()
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # ------------------------------------------------------------ API

    def handle(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params = self._params(content_type, body)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._cond:
            self.calls.append(Call(method, params))
            self._cond.notify_all()
        if method == "getMe":
            return 200, {"ok": True, "result": self.bot_user()}
        lang = str(params.get("language_code") or "")
        if method.startswith("setMy"):
            self.profile[(method[5:], lang)] = params
            return 200, {"ok": True, "result": True}
        if method == "getMyCommands":
            return 200, {"ok": True, "result": self.profile.get(("Commands", lang), {}).get("commands", [])}
        if method == "getMyDescription":
            return 200, {
                "ok": True,
                "result": {"description": self.profile.get(("Description", lang), {}).get("description", "")},
            }
        if method == "getMyShortDescription":
            return 200, {
                "ok": True,
                "result": {
                    "short_description": self.profile.get(("ShortDescription", lang), {}).get(
                        "short_description", ""
                    )
                },
            }
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id") or 0)
            if chat_id in self.blocked:
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
            return 200, {"ok": True, "result": self.bot_message(chat_id, params)}
        return 200, {"ok": True, "result": True}

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if "json" in content_type:
            return dict(json.loads(body or b"{}"))
        params: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode(), keep_blank_values=True):
            if value[:1] in "{[":
                try:
                    params[key] = json.loads(value)
                    continue
                except ValueError:
                    pass
            params[key] = value
        return params

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        with self._cond:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready
                self._cond.wait(max(0.0, deadline - time.monotonic()))

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Guide",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def bot_message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message_id = int(params.get("message_id") or next(self._message_ids))
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "t"},
            "from": self.bot_user(),
            "text": params.get("text", ""),
        }

    # ------------------------------------------------------------ feeding updates

    def push(self, update: dict[str, Any]) -> int:
        with self._cond:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
            self._cond.notify_all()
        return int(update["update_id"])

    @staticmethod
    def user(
        user_id: int = 1001, lang: str | None = "en", first_name: str = "Ana", **extra: Any
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, **extra}
        if lang is not None:
            user["language_code"] = lang
        return user

    def message(
        self,
        text: str | None = None,
        *,
        user: dict[str, Any] | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        kind: str = "message",
        **extra: Any,
    ) -> int:
        user = user or self.user()
        chat_id = chat_id if chat_id is not None else user["id"]
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = user.get("first_name", "")
        else:
            chat["title"] = "Team chat"
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **extra,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if kind == "edited_message":
            msg["edit_date"] = int(time.time())
        return self.push({kind: msg})

    def press(
        self,
        data: str,
        *,
        user: dict[str, Any] | None = None,
        chat_id: int | None = None,
        message_id: int = 555,
    ) -> int:
        user = user or self.user()
        chat_id = chat_id if chat_id is not None else user["id"]
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "t"},
            "from": self.bot_user(),
            "text": "menu",
        }
        return self.push(
            {
                "callback_query": {
                    "id": f"cq{next(self._update_ids)}",
                    "from": user,
                    "chat_instance": "ci",
                    "data": data,
                    "message": message,
                }
            }
        )

    def inline(self, query: str, *, user: dict[str, Any] | None = None) -> int:
        user = user or self.user()
        return self.push(
            {
                "inline_query": {
                    "id": f"iq{next(self._update_ids)}",
                    "from": user,
                    "query": query,
                    "offset": "",
                }
            }
        )

    def chosen(self, result_id: str, *, user: dict[str, Any] | None = None) -> int:
        """Telegram's report that an inline result was posted (with inline feedback turned on)."""
        return self.push(
            {"chosen_inline_result": {"result_id": result_id, "from": user or self.user(), "query": "x"}}
        )

    # ------------------------------------------------------------ waiting for the bot

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    async def next_call(self, method: str, after: int = 0, timeout: float = 8.0, **match: Any) -> Call:
        """The first call to method, beyond the first `after` such calls, whose params match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(method)[after:]
            for call in calls:
                if all(str(call.params.get(k)) == str(v) for k, v in match.items()):
                    return call
            await asyncio.sleep(0.02)
        raise AssertionError(
            f"no {method} call matching {match} within {timeout}s; calls: {[c.method for c in self.calls][-10:]}"
        )

    def count(self, method: str) -> int:
        return len(self.calls_to(method))

    async def settle(self, seconds: float = 0.3) -> None:
        await asyncio.sleep(seconds)
