"""Argument messages: each schema rule is said as what the value must be, quoting a short prefix."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from worker.arguments import check_arguments
from worker.errors import InvalidArguments

SCHEMA = Draft202012Validator({
    "type": "object",
    "properties": {
        "targets": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
        "note": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
        "roles": {"type": "object", "minProperties": 1},
        "count": {"type": "integer", "minimum": 1, "maximum": 10},
    },
    "additionalProperties": False,
})

CASES: list[tuple[dict[str, Any], str]] = [
    ({"targets": []}, "targets=[] must have at least 1 item(s)"),
    ({"targets": [1, 2, 3]}, "targets=[1, 2, 3] must have at most 2 item(s)"),
    ({"note": "a"}, "note='a' must have at least 2 character(s)"),
    ({"note": "abcdefg"}, "note='abcdefg' must have at most 5 character(s)"),
    ({"note": "AB"}, "note='AB' must match the pattern ^[a-z]+$"),
    ({"roles": {}}, "roles={} must have at least 1 member(s)"),
    ({"count": 11}, "count=11 must be at most 10"),
    ({"count": 2.0}, "count=2.0 must be of type integer"),
]


@pytest.mark.parametrize(("arguments", "message"), CASES)
def test_each_rule_is_said_as_what_the_value_must_be(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArguments) as refused:
        check_arguments(SCHEMA, arguments)
    assert message in str(refused.value)


def test_a_huge_value_is_quoted_as_a_short_prefix() -> None:
    with pytest.raises(InvalidArguments) as refused:
        check_arguments(SCHEMA, {"note": "x" * 100_000})
    assert "must have at most 5 character(s)" in str(refused.value)
    assert len(str(refused.value)) < 300


def test_valid_arguments_come_back_trimmed() -> None:
    assert check_arguments(SCHEMA, {"note": "ab", "targets": [1]}) == {"note": "ab", "targets": [1]}


def test_unknown_arguments_are_ignored_and_named_and_aliases_are_taken() -> None:
    from worker.notes import collecting

    with collecting() as notes:
        args = check_arguments(SCHEMA, {"count": 3, "reasoning": "the user asked", "query": "x",
                                        "num": 4}, aliases={"num": "count", "amount": "count"})
    assert args == {"count": 3}  # the alias lost to the argument given under its own name
    assert notes == ["ignored num: count was given too",
                     "ignored unknown argument(s) query, reasoning (this tool takes: count, note, roles, targets)"]
    with collecting() as notes:
        assert check_arguments(SCHEMA, {"amount": 4}, aliases={"amount": "count"}) == {"count": 4}
    assert notes == []


@pytest.mark.parametrize("name", ["k" * 65, "two words", "k" * 1_000_000, "", "ü"])
def test_a_name_that_cannot_be_an_argument_is_refused_briefly(name: str) -> None:
    with pytest.raises(InvalidArguments) as refused:
        check_arguments(SCHEMA, {"count": 3, name: 1})
    assert "not argument names" in str(refused.value) and len(str(refused.value)) < 400
