"""JSON at any depth: json's own parser and encoder first, loops of ours when they run out of recursion.

json's C parser and encoder recurse once per level and give up at Python's recursion limit (a
thousand levels, fewer when the caller is already deep). A ZObject in normal form nests one
level per list element: a Wikifunctions result of 2,000 strings, or 2,000 printed lines in its
debug logs, is 2,000 levels deep. These loops keep their own stack instead, so depth costs
memory, never a RecursionError. Standard library only.
"""

from __future__ import annotations

import json
import json.decoder
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

# The string at a quote's end and where it ends: json's own C scanner, which typeshed does not list
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_Container = list[Any] | dict[str, Any]  # one being parsed

_TOKEN = re.compile(r'[ \t\n\r]*(?:(")|([\[{\]}:,])|(-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)'
                    r'|(true|false|null))')
_WORDS = {"true": True, "false": False, "null": None}
_END = object()  # a container's closing bracket, where a value could have been


def loads(text: str | bytes) -> Any:
    """json.loads, at any depth (ValueError for what is not JSON)."""
    try:
        return json.loads(text)
    except RecursionError:
        return _parse(text.decode("utf-8") if isinstance(text, (bytes, bytearray)) else text)


def _parse(text: str) -> Any:
    stack: list[_Container] = []
    keys: list[str] = []  # each open container's key for its next value ("" in a list)
    value, at = _value(text, 0, stack, keys)
    while True:
        while value is not _END and stack:  # a finished value goes into the container it is in
            container = stack[-1]
            if isinstance(container, list):
                container.append(value)
            else:
                container[keys[-1]] = value
            value, at = _after_item(text, at, stack, keys)
        if not stack:
            break
        value, at = _value(text, at, stack, keys)
    if text[at:].strip(" \t\n\r"):
        raise ValueError(f"Extra data: line 1 column {at + 1} (char {at})")
    return value


def _token(text: str, at: int) -> re.Match[str]:
    match = _TOKEN.match(text, at)
    if match is None:
        raise ValueError(f"Expecting value: char {at}")
    return match


def _value(text: str, at: int, stack: list[_Container], keys: list[str]) -> tuple[Any, int]:
    """The value at `at` and where it ends; an opening bracket pushes its container and gives _END
    until that container closes (an empty one closes at once)."""
    match = _token(text, at)
    quote, punct, number, fraction, exponent, word = match.groups()
    if quote:
        return _scanstring(text, match.end())
    if number:
        return (float(number) if fraction or exponent else int(number)), match.end()
    if word:
        return _WORDS[word], match.end()
    if punct in "[{":
        stack.append([] if punct == "[" else {})
        keys.append("")
        closing = _token(text, match.end())
        if closing.group(2) == ("]" if punct == "[" else "}"):
            keys.pop()
            return stack.pop(), closing.end()
        return (_END, match.end()) if punct == "[" else _key(text, match.end(), keys)
    raise ValueError(f"Expecting value: char {match.start()}")


def _key(text: str, at: int, keys: list[str]) -> tuple[Any, int]:
    """An object's `"key":`, remembered for the value that follows; gives _END, for that value."""
    match = _token(text, at)
    if not match.group(1):
        raise ValueError(f"Expecting property name enclosed in double quotes: char {match.start()}")
    keys[-1], at = _scanstring(text, match.end())
    colon = _token(text, at)
    if colon.group(2) != ":":
        raise ValueError(f"Expecting ':' delimiter: char {colon.start()}")
    return _END, colon.end()


def _after_item(text: str, at: int, stack: list[_Container], keys: list[str]) -> tuple[Any, int]:
    """After an item: `,` asks for the next one (_END), a closing bracket gives the finished container."""
    match = _token(text, at)
    container = stack[-1]
    if match.group(2) == ",":
        return _key(text, match.end(), keys) if isinstance(container, dict) else (_END, match.end())
    if match.group(2) == ("]" if isinstance(container, list) else "}"):
        keys.pop()
        return stack.pop(), match.end()
    raise ValueError(f"Expecting ',' delimiter: char {match.start()}")


def dumps(value: Any, *, ensure_ascii: bool = True) -> str:
    """json.dumps(value, ensure_ascii=..., allow_nan=False), at any depth: TypeError for what JSON cannot
    hold (a set, bytes, a key that is not a str), ValueError for NaN or a container inside itself."""
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=False)
    except RecursionError:
        return "".join(_chunks(value, ensure_ascii))


def _chunks(value: Any, ensure_ascii: bool) -> Iterator[str]:
    work: list[Any] = [value]
    inside: set[int] = set()  # the containers being written, to refuse one that holds itself
    while work:
        item = work.pop()
        if isinstance(item, _Close):
            inside.discard(item.container)
            yield item.text
        elif isinstance(item, (list, tuple, dict)):
            if id(item) in inside:
                raise ValueError("Circular reference detected")
            inside.add(id(item))
            yield from _open(item, work, ensure_ascii)
        else:
            yield _scalar(item, ensure_ascii)


class _Close:
    def __init__(self, container: int, text: str) -> None:
        self.container, self.text = container, text


class _Text(str):
    """Already JSON text (a separator or a key), written as it is."""


def _open(container: list[Any] | tuple[Any, ...] | dict[Any, Any], work: list[Any],
          ensure_ascii: bool) -> Iterator[str]:
    """Write `container`'s opening bracket and queue its items, separators and closing bracket."""
    queued: list[Any] = []
    if isinstance(container, dict):
        for key, item in container.items():
            if key is None or isinstance(key, (int, float)) and not isinstance(key, str):  # as json writes them
                key = json.dumps(key)
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
            queued += [_Text(", " if queued else ""), _Text(json.dumps(key, ensure_ascii=ensure_ascii) + ": "), item]
    else:
        for item in container:
            queued += [_Text(", " if queued else ""), item]
    work.append(_Close(id(container), "}" if isinstance(container, dict) else "]"))
    work.extend(reversed(queued))
    yield "{" if isinstance(container, dict) else "["


def _scalar(item: Any, ensure_ascii: bool) -> str:
    if isinstance(item, _Text):
        return str(item)
    if isinstance(item, float) and not math.isfinite(item):
        raise ValueError(f"Out of range float values are not JSON compliant: {item!r}")
    if item is None or isinstance(item, (str, int, float)):  # bool is an int
        return json.dumps(item, ensure_ascii=ensure_ascii)
    raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")
