"""ZObjects as the Wikifunctions host handles them: builders, the Z22 and its metadata map, the normal
form check, and the canonical form.

Normal form spells everything out: a string is {"Z1K1": "Z6", "Z6K1": text}, a reference
{"Z1K1": "Z9", "Z9K1": "Z22"}, every other object has a Z1K1 that is itself a ZObject (a
reference, a function call such as a typed list's Z881, or a Z4 type) and keys like Z22K1 or K1.
A typed list nests one level per element, so everything here that walks a ZObject is a loop, not
a recursion (normal() excepted: it reads conformance expectations). Standard library only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REFERENCE = re.compile(r"[A-JL-Z][1-9][0-9]*")
KEY = re.compile(r"(Z[1-9][0-9]*)?K[1-9][0-9]*")


def ref(zid: str) -> dict[str, str]:
    return {"Z1K1": "Z9", "Z9K1": zid}


def zstring(text: str) -> dict[str, str]:
    return {"Z1K1": "Z6", "Z6K1": text}


def type_call(function: str, **args: Any) -> dict[str, Any]:
    return {"Z1K1": ref("Z7"), "Z7K1": ref(function), **args}


METADATA_PAIR = type_call("Z882", Z882K1=ref("Z6"), Z882K2=ref("Z1"))
METADATA_LIST = type_call("Z881", Z881K1=METADATA_PAIR)
METADATA_MAP = type_call("Z883", Z883K1=ref("Z6"), Z883K2=ref("Z1"))


def metadata_entries(z22: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    """The (key, value) pairs of a Z22's metadata map, [] for void, None when it is neither."""
    metadata = z22.get("Z22K2")
    if metadata == ref("Z24"):
        return []
    if not isinstance(metadata, dict) or metadata.get("Z1K1") != METADATA_MAP:
        return None
    entries, tail = [], metadata.get("K1")
    while isinstance(tail, dict) and tail.get("Z1K1") == METADATA_LIST and "K1" in tail:
        pair = tail["K1"]
        if not (isinstance(pair, dict) and pair.get("Z1K1") == METADATA_PAIR and "K1" in pair and "K2" in pair):
            return None
        entries.append((pair["K1"], pair["K2"]))
        tail = tail.get("K2")
    return entries if tail == {"Z1K1": METADATA_LIST} else None


def z22(result: Any, entries: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """A Z22 in normal form: `result` (None: void) and a metadata map of `entries`."""
    head: dict[str, Any] = {"Z1K1": METADATA_LIST}
    tail = head
    for key, value in entries:
        tail["K1"] = {"Z1K1": METADATA_PAIR, "K1": key, "K2": value}
        tail["K2"] = {"Z1K1": METADATA_LIST}
        tail = tail["K2"]
    return {"Z1K1": ref("Z22"), "Z22K1": ref("Z24") if result is None else result,
            "Z22K2": {"Z1K1": METADATA_MAP, "K1": head} if entries else ref("Z24")}


def error_entry(message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return zstring("errors"), {"Z1K1": ref("Z5"), "Z5K2": zstring(message)}


def is_failure(response: dict[str, Any]) -> bool:
    return response.get("Z22K1") == ref("Z24")


def normal_form_problem(z: Any, where: str) -> str | None:
    """Why `z` is not a ZObject in normal form (naming the place, under `where`), or None.

    Strings and references, most of a ZObject's nodes, are checked where they are met, not queued
    (a Z22 with debug logs: about 1.4 times what json.loads takes to read it)."""
    pending: list[tuple[Any, tuple[Any, ...]]] = [(z, (where,))]
    while pending:
        node, at = pending.pop()
        if not isinstance(node, dict):
            return f"{_path(at)}: {_kind(node)} is not a ZObject in normal form"
        if "Z1K1" not in node:
            return f"{_path(at)}: an object without Z1K1 is not a ZObject"
        if isinstance(node["Z1K1"], str):
            problem = _terminal_problem(node)
            if problem:
                return _path(at) + problem
            continue
        for key, value in node.items():
            if key != "Z1K1" and not (isinstance(key, str) and _is_key(key)):
                return f"{_path(at)}: {str(key)[:80]!r} is not a ZObject key"
            if isinstance(value, dict) and isinstance(value.get("Z1K1"), str):
                problem = _terminal_problem(value)
                if problem:
                    return _path((at, key)) + problem
            else:
                pending.append((value, (at, key)))
    return None


def _terminal_problem(node: dict[str, Any]) -> str | None:
    """What is wrong with a node whose Z1K1 is a string: it must be a Z6 or a Z9, exactly."""
    type_ = node["Z1K1"]
    payload = node.get(type_ + "K1")
    if type_ not in ("Z6", "Z9") or len(node) != 2 or not isinstance(payload, str):
        return ": a string Z1K1 is Z6 or Z9, beside exactly one string, Z6K1 or Z9K1"
    if type_ == "Z9" and not _is_reference(payload):
        return f".Z9K1: {payload[:80]!r} is not a reference"
    return None


@lru_cache(maxsize=4096)  # the same few keys and references recur: a lookup, not a regular expression
def _is_key(key: str) -> bool:
    return KEY.fullmatch(key) is not None


@lru_cache(maxsize=4096)
def _is_reference(text: str) -> bool:
    return REFERENCE.fullmatch(text) is not None


def _kind(value: Any) -> str:
    return {list: "a list", str: "a bare string", type(None): "null", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _path(at: tuple[Any, ...], shown: int = 6) -> str:
    """`where.K1.K2...` from a chain of (parent, key) links, its last `shown` keys only."""
    keys = []
    while len(at) == 2:
        at, key = at
        keys.append(key)
    keys.reverse()
    return ".".join([at[0], *(["…"] if len(keys) > shown else []), *keys[-shown:]])


def _is_list_type(type_: Any) -> bool:
    return isinstance(type_, dict) and type_.get("Z1K1") == ref("Z7") and type_.get("Z7K1") == ref("Z881")


def canonical(z: Any) -> Any:
    """The canonical form of a normal-form ZObject: bare strings and references, lists as
    arrays that start with their element type. Conformance expectations are written in it."""
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(z, root, 0)]  # (node, where its form goes: container, slot)
    while pending:
        node, container, slot = pending.pop()
        container[slot], children = _canonical_step(node)
        pending.extend(children)
    return root[0]


def _canonical_step(z: Any) -> tuple[Any, list[tuple[Any, Any, Any]]]:
    """z's canonical form, with placeholders for its parts, and the parts still to convert into them."""
    if not isinstance(z, dict):
        return z, []
    if z.get("Z1K1") == "Z9" and set(z) == {"Z1K1", "Z9K1"}:
        return z["Z9K1"], []
    text = z.get("Z6K1")
    if z.get("Z1K1") == "Z6" and set(z) == {"Z1K1", "Z6K1"} and isinstance(text, str) and not REFERENCE.fullmatch(text):
        return text, []
    if _is_list_type(z.get("Z1K1")):
        items: list[Any] = [z["Z1K1"].get("Z881K1")]
        tail: Any = z  # the list's rest: whatever the request holds until checked
        while isinstance(tail, dict) and "K1" in tail:
            items.append(tail["K1"])
            tail = tail.get("K2")
        form: list[Any] = [None] * len(items)
        return form, [(item, form, index) for index, item in enumerate(items)]
    mapping = dict.fromkeys(z)
    return mapping, [(value, mapping, key) for key, value in z.items()]


def normal(z: Any) -> Any:
    """The normal form of a ZObject given in canonical or normal form (the inverse of canonical)."""
    if isinstance(z, str):
        return ref(z) if REFERENCE.fullmatch(z) else zstring(z)
    if isinstance(z, list) and z:
        type_ = type_call("Z881", Z881K1=normal(z[0]))
        head: dict[str, Any] = {"Z1K1": type_}
        tail = head
        for item in z[1:]:
            tail["K1"], tail["K2"] = normal(item), {"Z1K1": type_}
            tail = tail["K2"]
        return head
    if isinstance(z, dict) and z.get("Z1K1") in ("Z6", "Z9"):
        return dict(z)
    if isinstance(z, dict):
        return {key: normal(value) for key, value in z.items()}
    return z
