"""The JSON nesting check (core.parsers.nests_deeper_than) agrees with the JSON itself, and
whatever it lets through cannot make the decoder recurse out of stack."""

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from core.parsers import MAX_JSON_DEPTH, nests_deeper_than

# Strings full of what a naive bracket count would trip on.
tricky_text = st.text(alphabet='[]{}"\\ab\n', max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=60,
)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


def wrap(value, levels: int):
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_the_check_measures_well_formed_json_exactly(value, extra_levels, limit):
    value = wrap(value, extra_levels)
    for text in (json.dumps(value), json.dumps(value, indent=1, ensure_ascii=False)):
        assert nests_deeper_than(text, limit) == (depth(value) > limit)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='[]{}"\\:,1 ', max_size=3000))
def test_whatever_the_check_lets_through_decodes_without_running_out_of_stack(text):
    if nests_deeper_than(text, MAX_JSON_DEPTH):
        return
    with contextlib.suppress(ValueError):  # malformed: the parser answers 400 with its message
        json.loads(text)


def test_the_payloads_of_the_report_are_too_deep():
    assert nests_deeper_than("[" * 1000, MAX_JSON_DEPTH)
    assert nests_deeper_than("[" * 1000 + "]" * 1000, MAX_JSON_DEPTH)
    assert nests_deeper_than('{"a":' * 1000 + "1" + "}" * 1000, MAX_JSON_DEPTH)
    assert nests_deeper_than("[1, " + "[" * 40, MAX_JSON_DEPTH)
    assert not nests_deeper_than("]" * 1000 + "[" * 10, MAX_JSON_DEPTH)
    assert not nests_deeper_than('["' + "[" * 1000 + '"]', MAX_JSON_DEPTH)
    assert not nests_deeper_than('["\\"' + "[" * 1000 + '"]', MAX_JSON_DEPTH)
