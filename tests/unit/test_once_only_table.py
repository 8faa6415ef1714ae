"""docs/once-only.md is the demo catalogue's once-only table, computed again here."""

from __future__ import annotations

from devstack.once_only import DOC, table


def test_the_committed_once_only_table_is_the_computed_one() -> None:
    assert DOC.read_text(encoding="utf-8") == table(), "run: python -m devstack.once_only --write"


def test_every_demo_form_asks_the_applicant_only_for_the_project() -> None:
    for row in table().splitlines():
        if row.startswith("| `a0W5"):
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            fields, prefilled, typed = int(cells[2]), int(cells[3]), int(cells[4])
            # the company block comes from gBizID and gBizINFO, and for 001 two registered matters from the exchange
            assert prefilled == (10 if row.startswith("| `a0W5h00000demo001`") else 8), row
            assert typed == fields - prefilled, row
            assert ("exchange" in cells[5]) == row.startswith("| `a0W5h00000demo001`"), row
