"""EBPM export: seeded applications → Parquet in the analytics bucket → every example query of docs/ebpm.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "ebpm.md"
TOKYO, OSAKA, UNLISTED = "9010001000011", "9120001000012", "9430001000013"  # test-only numbers

# (id, corporate number, status, requested, decision outcome, awarded, form location, via mandate)
APPLICATIONS: tuple[tuple[str, str, str, int, str | None, int | None, str | None, bool], ...] = (
    ("ebpm-001", TOKYO, "APPROVED", 4_000_000, "approve", 3_000_000, None, False),
    ("ebpm-002", TOKYO, "REJECTED", 2_000_000, "reject", None, None, True),
    ("ebpm-003", OSAKA, "APPROVED", 1_000_000, "approve", 800_000, None, False),
    ("ebpm-004", OSAKA, "UNDER_REVIEW", 500_000, None, None, None, False),
    ("ebpm-005", UNLISTED, "APPROVED", 900_000, "approve", 900_000, "北海道札幌市中央区北1条西2丁目", False),
    ("ebpm-006", UNLISTED, "WITHDRAWN", 100_000, None, None, None, False),
    ("ebpm-007", TOKYO, "DRAFT", 700_000, None, None, None, False),  # a draft is not exported
)


def _application_item(row: tuple[Any, ...]) -> dict[str, Any]:
    from functions.submit.applications.model import Application, Status

    app_id, number, status, requested, outcome, awarded, location, mandated = row
    form: dict[str, Any] = {"project": {"project_title": "秘密の事業計画"}, "requested_amount": requested}
    form["company"] = {"representative_name": "代表 太郎"}
    if location:
        form["location"] = location
    item = Application(
        application_id=app_id,
        subsidy_id="a0W5h00000demo001",
        subsidy_title="ものづくり補助金（EBPM試験）",
        corporate_number=number,
        status=Status(status),
        form=form,
        version=3,
        applicant_sub="sub-of-a-person",
        created_at="2026-05-01T00:00:00+00:00",
        updated_at="2026-06-01T00:00:00+00:00",
        submitted_at="2026-05-10T01:02:03+00:00",
        submitted_by="sub-of-a-person",
        receipt_number=f"METI-2026-{app_id[-3:]:0>7}",
        mandate={"corporate_number": number, "valid_until": "2027-03-31", "procedures": "jgrants"}
        if mandated
        else None,
    ).to_item()
    if outcome:
        decision: dict[str, Any] = {"outcome": {"S": outcome}, "time": {"S": "2026-06-01T09:00:00+00:00"}}
        decision["reviewer_sub"] = {"S": "sub-of-a-reviewer"}
        if awarded is not None:
            decision["amount"] = {"N": str(awarded)}
        item["decision"] = {"M": decision}
    return item


@pytest.fixture(scope="module")
def export(aws_platform: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from functions.submit.ebpm import EXPORT_KEY, export_applications
    from platform_common import aws

    dynamodb = aws.client("dynamodb")
    applications = aws_platform["meti"].name("table", "applications")
    hojin = aws_platform["opendata"].name("table", "hojin")
    records = {
        TOKYO: {"name": "EBPM試験東京株式会社", "location": "東京都千代田区霞が関1-3-1", "employee_number": 12,
                "industry": ["製造業"]},
        OSAKA: {"name": "EBPM試験大阪株式会社", "location": "大阪府大阪市北区梅田1-1-1", "employee_number": 250,
                "industry": ["情報通信業", "製造業"]},
    }  # fmt: skip
    for number, record in records.items():
        document = json.dumps({"corporate_number": number, **record}, ensure_ascii=False)
        dynamodb.put_item(
            TableName=hojin,
            Item={"corporate_number": {"S": number}, "name": {"S": record["name"]}, "document": {"S": document}},
        )
    for row in APPLICATIONS:
        dynamodb.put_item(TableName=applications, Item=_application_item(row))

    bucket = aws_platform["meti"].name("bucket", "analytics")
    report = export_applications("meti", applications, hojin, bucket)

    assert report.key == EXPORT_KEY
    path = tmp_path_factory.mktemp("ebpm") / "applications.parquet"
    path.write_bytes(aws.client("s3").get_object(Bucket=bucket, Key=EXPORT_KEY)["Body"].read())
    return path


@pytest.fixture
def db(export: Path) -> Any:
    connection = duckdb.connect()
    # Other tests on the shared platform write applications too: the queries look at this test's rows only.
    connection.execute(
        f"CREATE VIEW applications AS SELECT * FROM read_parquet('{export}') WHERE application_id LIKE 'ebpm-%'"  # noqa: S608  # a temp path
    )
    return connection


def doc_queries() -> list[str]:
    return re.findall(r"```sql\n(SELECT.*?)```", DOC.read_text("utf-8"), flags=re.DOTALL)


def test_given_seeded_applications_when_exported_then_drafts_stay_out_and_no_personal_data_leaves(db: Any) -> None:
    columns = [row[0] for row in db.execute("DESCRIBE applications").fetchall()]
    rows = db.execute("SELECT application_id FROM applications ORDER BY 1").fetchall()

    assert [r[0] for r in rows] == [f"ebpm-00{n}" for n in range(1, 7)]
    forbidden = {"corporate_number", "applicant_sub", "submitted_by", "form", "name", "location", "email"}
    assert not forbidden & set(columns)
    flat = json.dumps(db.execute("SELECT * FROM applications").fetchall(), default=str, ensure_ascii=False)
    for personal in ("代表 太郎", "秘密の事業計画", "sub-of-a-person"):
        assert personal not in flat


def test_given_gbizinfo_records_or_form_addresses_then_prefecture_industry_and_size_are_derived(db: Any) -> None:
    found = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT application_id, prefecture, prefecture_source, industry, employee_size, via_mandate "
            "FROM applications"
        ).fetchall()
    }

    assert found["ebpm-001"] == ("東京都", "gbizinfo", "製造業", "6-20名", False)
    assert found["ebpm-002"][-1] is True
    assert found["ebpm-003"] == ("大阪府", "gbizinfo", "情報通信業", "101-300名", False)
    assert found["ebpm-005"] == ("北海道", "form", "不明", "不明", False)


def test_given_the_doc_when_reading_then_it_has_the_three_required_example_queries() -> None:
    queries = doc_queries()

    assert len(queries) >= 3
    assert any("GROUP BY prefecture" in q for q in queries)
    assert any("GROUP BY industry" in q for q in queries)
    assert any("GROUP BY employee_size" in q for q in queries)


@pytest.mark.parametrize("query", doc_queries(), ids=lambda q: q.split("GROUP BY ")[-1].split()[0])
def test_given_the_export_when_running_each_documented_query_then_it_answers(db: Any, query: str) -> None:
    rows = db.execute(query).fetchall()

    assert rows


def test_given_the_export_when_summing_by_prefecture_then_awards_and_counts_are_right(db: Any) -> None:
    [by_prefecture] = [q for q in doc_queries() if "GROUP BY prefecture" in q]

    rows = db.execute(by_prefecture).fetchall()

    assert rows == [("東京都", 2, 1, 3_000_000), ("北海道", 1, 1, 900_000), ("大阪府", 2, 1, 800_000)]


def test_given_the_export_when_grouping_by_size_then_the_approval_rate_counts_decided_applications_only(
    db: Any,
) -> None:
    [by_size] = [q for q in doc_queries() if "GROUP BY employee_size" in q]

    rows = {row[0]: row[1:4] for row in db.execute(by_size).fetchall()}

    assert rows["6-20名"] == (2, 1, 50.0)
    assert rows["101-300名"] == (1, 1, 100.0)
