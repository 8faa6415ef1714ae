"""Open data for API and page tests, seeded as the devstack seeds it: through the ingest, into a bucket of the
test module's own (other modules ingest into the shared bucket; an index built from it would hold their rows).

The records go to the shared ``hojin`` table: the seeded corporations' records are deleted first, so each
record is rebuilt from this module's files alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from devstack.provision import ProvisionedStack
from devstack.seed_open_data import ingest_records
from functions.hojin_search.ingest.store import AwsOpenDataStore
from platform_common import aws


def seed_module_bucket(stack: ProvisionedStack, suffix: str, records: Sequence[dict[str, Any]], now: datetime) -> str:
    """The name of a new bucket holding ``records`` as Parquet, index and bulk files (``now``: the ingest time,
    a day of the module's own so its changes do not meet other tests' ``updateInfo`` days)."""
    bucket = f"{stack.name('bucket', 'open-data')}-{suffix}"
    region = os.environ["AWS_DEFAULT_REGION"]
    aws.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    store = AwsOpenDataStore(bucket, stack.name("table", "hojin"), stack.name("table", "changes"))
    store.delete_records(r["corporate_number"] for r in records)
    ingest_records(store, records, now)
    return bucket
