"""The planner's shortcuts around deepdiff (equal sides, shared fields) change no difference."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genesys_reconcile.plan import planner

# JSON-shaped values with few keys and small values, so both sides often share parts.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 2.5]),
    st.sampled_from("abc"),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("pqrstu"), inner, max_size=6)
    ),
    max_leaves=16,
)


def plain_deepdiff(before: Any, after: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(planner, "_same", lambda a, b: False)
        patch.setattr(planner, "_without_shared_fields", lambda a, b: (a, b))
        return planner.differences(before, after)


@settings(max_examples=400, deadline=None)
@given(before=values, after=values)
def test_differences_are_what_deepdiff_alone_finds(before: Any, after: Any) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert planner.differences(before, after) == plain_deepdiff(before, after, monkeypatch)


@pytest.mark.parametrize(
    ("before", "after"),
    [(300, 300.0), (True, 1), ({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3]}), ({"a": 1}, {"b": 1})],
)
def test_doubtful_cases_agree_too(before: Any, after: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert planner.differences(before, after) == plain_deepdiff(before, after, monkeypatch)
