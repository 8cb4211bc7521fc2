"""The progress bar's length is the number of stages the build really reports."""

from __future__ import annotations

import pytest

from ikidil.build import BuildOptions, build
from ikidil.cli import State, _stage_count


@pytest.mark.parametrize("options", [
    BuildOptions(editions=("tr",), formats=("epub",)),
    BuildOptions(editions=("en", "bilingual"), formats=("epub", "pdf"), pdf_variants=("print",)),
])
def test_stage_count_matches_the_stages_build_reports(book_copy, options):
    stages: list[str] = []
    build(book_copy, options, stages.append)
    assert stages[:2] == ["load", "check"]
    assert len(stages) == _stage_count(State(book_copy, False, False, False), options)
    stages.clear()
    build(book_copy, options, stages.append)
    assert stages == ["up to date"]
