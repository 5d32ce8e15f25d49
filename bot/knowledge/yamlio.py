"""YAML reading that remembers where each key is and refuses duplicate keys.

PyYAML silently keeps the last of two equal keys; a curator would lose text without notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.problems import KnowledgeError, Problem

KeyPath = tuple[str | int, ...]


# libyaml when PyYAML was built with it: the knowledge parses about 10x faster (start-up, reload).
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlDoc:
    """Parsed data plus the line (1-based) of every key path."""

    def __init__(self, path: Path, data: Any, lines: dict[KeyPath, int]) -> None:
        self.path = path
        self.data = data
        self.lines = lines

    def line_of(self, key_path: KeyPath) -> int:
        """The line of the deepest part of key_path that exists (1 when nothing does)."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return 1


def _walk(
    node: yaml.Node, prefix: KeyPath, lines: dict[KeyPath, int], path: Path, dupes: list[Problem]
) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = ".".join(str(p) for p in (*prefix, key))
                dupes.append(Problem(path, line, f"{where}: duplicate key (the last one would win)"))
            seen.add(key)
            lines[(*prefix, key)] = line
            _walk(value_node, (*prefix, key), lines, path, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*prefix, index), lines, path, dupes)


def read_yaml(path: Path) -> YamlDoc:
    """Parse path, or raise KnowledgeError naming the file and line of the fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([Problem(path, 1, f"cannot read: {exc}")]) from exc
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "invalid YAML"
        raise KnowledgeError([Problem(path, line, f"YAML syntax: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(path, 1, f"YAML syntax: {exc}")]) from exc
    lines: dict[KeyPath, int] = {}
    dupes: list[Problem] = []
    if node is not None:
        _walk(node, (), lines, path, dupes)
    if dupes:
        raise KnowledgeError(dupes)
    return YamlDoc(path, data, lines)
