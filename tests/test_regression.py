"""Golden values: seeded runs must reproduce the pinned summaries exactly (to the last bit of a float)."""

from __future__ import annotations

import json

import pytest

from tests.golden_cases import CASES, GOLDEN, compute

golden = json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    assert compute(CASES[name]) == golden[name]
