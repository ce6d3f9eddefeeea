"""The national enforcement supervision export (R6.5) with an inspection and a case in it:
every line of both JSON Lines files and every row of both workbooks validate against the
versioned field list, the manifest's checksums match, and a window by date holds only what
changed in it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook

from fairinspect.exchange.fields import NATIONAL_VERSION, national_fields
from fairinspect.rules.exports import check_row
from fairinspect.visits import services as visit_services

CODE = "11650100MB0000000X"


def _text(row: dict) -> dict[str, str]:
    return {
        k: v if isinstance(v, str) else "" if v is None else json.dumps(v, ensure_ascii=False)
        for k, v in row.items()
    }


@override_settings(AUTHORITY_CREDIT_CODE=CODE)
@pytest.mark.django_db
def test_r6_5_both_files_validate_against_the_field_list_and_the_window_is_by_date(
    started_visit, team, new_case, walk, npl, tmp_path
):
    (u1, _o1), _ = team
    v = started_visit(item_codes=["YJ-WH-004", "YJ-WH-007"])
    visit_services.record_finding(
        actor=u1, visit=v, item_code="YJ-WH-004", result="non_compliant", notes="未建立台账"
    )
    h = visit_services.record_hazard(actor=u1, visit=v, level="general", description="台账缺失")
    visit_services.issue_order(
        actor=u1,
        visit=v,
        hazard_ids=[h.pk],
        deadline=dt.date(2025, 7, 18),
        today=dt.date(2025, 6, 18),
    )
    visit_services.check_out(actor=u1, visit=v)
    case = walk(new_case(), "serve")

    out = tmp_path / "2025-06"
    call_command("export_national", str(out), "--since", "2025-01-01", "--until", "2026-01-01")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "fairinspect-national-export"
    assert manifest["version"] == NATIONAL_VERSION
    for name in ("inspections", "cases"):
        specs = national_fields(name)
        lines = (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == manifest["files"][f"{name}.jsonl"]["rows"] == 1
        for n, line in enumerate(lines, 1):
            row = json.loads(line)
            assert list(row) == [s.code for s in specs]
            assert check_row(_text(row), specs, line=n) == []
        ws = load_workbook(out / f"{name}.xlsx").active
        rows = list(ws.values)
        assert list(rows[0]) == [s.code for s in specs] and len(rows) == 2
        cells = {k: ("" if c is None else str(c)) for k, c in zip(rows[0], rows[1], strict=True)}
        assert check_row(cells, specs, line=1) == []
    for file, meta in manifest["files"].items():
        data = (out / file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"] and len(data) == meta["bytes"]
    inspection = json.loads((out / "inspections.jsonl").read_text(encoding="utf-8"))
    assert inspection["record_id"] == f"FI-V-{v.pk}"
    assert inspection["object_credit_code"] == v.enterprise.credit_code
    assert inspection["hazards"][0]["description"] == "台账缺失"
    exported = json.loads((out / "cases.jsonl").read_text(encoding="utf-8"))
    assert exported["decision_number"] == case.decision_number
    # A window by date after the changes holds nothing.
    later = tmp_path / "2026-01"
    call_command("export_national", str(later), "--since", "2026-01-01", "--until", "2026-02-01")
    empty = json.loads((later / "manifest.json").read_text(encoding="utf-8"))
    assert empty["files"]["inspections.jsonl"]["rows"] == empty["files"]["cases.jsonl"]["rows"] == 0
