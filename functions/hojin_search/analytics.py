"""Named analytic queries over the Hive layout, one SQL text for DuckDB (one machine) and Athena (cloud).

Each query names its tables as ``{corporations}`` and ``{activities_<category>}``; :func:`duckdb_sql`
substitutes ``read_parquet('<root>/parquet/activities/category=<c>/*/*.parquet', hive_partitioning=true)``,
:func:`athena_sql` the Glue tables (``<database>.activities_<category>``, partitioned by ``source``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

QUERIES: dict[str, str] = {
    # The portal's chart: subsidies and procurement of one corporation by fiscal year (April to March).
    "activity_by_year": """
        SELECT 'subsidy' AS category,
               CAST(substr(date_of_approval, 1, 4) AS INTEGER)
                 - CASE WHEN substr(date_of_approval, 6, 2) < '04' THEN 1 ELSE 0 END AS fiscal_year,
               count(*) AS records, sum(amount) AS amount
        FROM {activities_subsidy} WHERE corporate_number = $corporate_number GROUP BY 1, 2
        UNION ALL
        SELECT 'procurement' AS category,
               CAST(substr(date_of_order, 1, 4) AS INTEGER)
                 - CASE WHEN substr(date_of_order, 6, 2) < '04' THEN 1 ELSE 0 END AS fiscal_year,
               count(*) AS records, sum(amount) AS amount
        FROM {activities_procurement} WHERE corporate_number = $corporate_number GROUP BY 1, 2
        ORDER BY fiscal_year, category
    """,
    # Totals by granting department and year, for EBPM.
    "subsidy_by_department": """
        SELECT government_departments, substr(date_of_approval, 1, 4) AS year,
               count(*) AS records, sum(amount) AS amount
        FROM {activities_subsidy} GROUP BY 1, 2 ORDER BY 1, 2
    """,
}
_TABLE = re.compile(r"\{(corporations|activities_[a-z]+)\}")


def _substitute(sql: str, name_of: Any) -> str:
    return _TABLE.sub(lambda m: name_of(m[1]), sql)


def duckdb_sql(name: str, root: str) -> str:
    def source(table: str) -> str:
        if table == "corporations":
            return f"read_parquet('{root}/parquet/corporations/*.parquet')"
        category = table.removeprefix("activities_")
        return f"read_parquet('{root}/parquet/activities/category={category}/*/*.parquet', hive_partitioning=true)"

    return _substitute(QUERIES[name], source)


def athena_sql(name: str, database: str) -> str:
    """The same text for Athena: Presto's ``?`` replaces DuckDB's named parameter (pass it as ExecutionParameters)."""
    sql = _substitute(QUERIES[name], lambda table: f'"{database}"."{table}"')
    return re.sub(r"\$[a-z_]+", "?", sql)


def run_duckdb(name: str, root: str | Path, **parameters: Any) -> list[dict[str, Any]]:
    """Run a named query with DuckDB over local files (or ``s3://`` with the httpfs extension)."""
    sql = duckdb_sql(name, str(root))
    with duckdb.connect() as con:
        cursor = con.execute(sql, parameters) if parameters else con.execute(sql)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
