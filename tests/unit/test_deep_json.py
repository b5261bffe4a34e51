"""deep_json: json's answers at any depth (the Wikifunctions host reads and writes ZObjects nested a level
per list element). Its loops are held to json's own parser and encoder on random values shallow enough
for both, and must keep going where json gives up with a RecursionError."""

from __future__ import annotations

import json
import random

import pytest

from wasmimage.runtime import deep_json

SCALARS = [0, 1, -2, 10**30, 2.5, -1e-300, 1e300, "", "a\"b\\c\n", "é\u2028", "\ud800", True, False, None]


def value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 5 or roll < 0.3:
        return rng.choice(SCALARS)
    if roll < 0.65:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["k", "é", "Z1K1", ""]) + str(i): value(rng, depth + 1) for i in range(rng.randint(0, 4))}


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_the_loops_give_what_json_gives(ensure_ascii):
    rng = random.Random(24)
    for _ in range(2000):
        item = value(rng)
        text = json.dumps(item, ensure_ascii=ensure_ascii)
        assert "".join(deep_json._chunks(item, ensure_ascii)) == text
        assert deep_json._parse(text) == json.loads(text)


def nested(depth: int) -> list:
    item: list = []
    for _ in range(depth):
        item = [item, {"K1": "x"}]
    return item


def test_any_depth_round_trips():
    deep = nested(50_000)
    with pytest.raises(RecursionError):
        json.dumps(deep)
    text = deep_json.dumps(deep)
    with pytest.raises(RecursionError):
        json.loads(text)
    back, depth = deep_json.loads(text), 0
    while back:
        assert back[1] == {"K1": "x"}
        back, depth = back[0], depth + 1
    assert depth == 50_000


@pytest.mark.parametrize("text", ["[1,]", '{"a" 1}', "[1 2]", "{1: 2}", "[", "]", "[1]x", "", '{"a":}', "[-]",
                                  '"\x01"', "[" * 5000 + "1" + "]" * 4999])
def test_what_json_refuses_the_loops_refuse(text):
    with pytest.raises((ValueError, RecursionError)):
        json.loads(text)
    with pytest.raises(ValueError):
        deep_json._parse(text)
    with pytest.raises(ValueError):
        deep_json.loads(text)


def test_what_json_cannot_hold_is_refused_at_any_depth():
    cycle: list = []
    cycle.append(cycle)
    for bad, error in ((cycle, ValueError), ([{1, 2}], TypeError), ([float("nan")], ValueError), ([b"x"], TypeError),
                       ([{(1, 2): 3}], TypeError)):
        with pytest.raises(error):
            deep_json.dumps(bad)
        with pytest.raises(error):
            deep_json.dumps(nested(5000) + [bad])
