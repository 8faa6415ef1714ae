"""moto's DynamoDB, made fit for many writers in one process (the devstack and the in-process tests).

Two changes, installed once by :func:`tune_dynamodb`:

1. One lock around moto's writes. A state machine's Lambda task writes beside an API request; moto's
   ``TransactWriteItems`` is not safe against a concurrent write (it failed with "dictionary changed size
   during iteration").
2. A transaction's rollback copy holds only the items it touches. moto deep-copies every table a
   transaction names, to restore it if the transaction is cancelled; jGrants keeps applications, history,
   queue and audit chain in one table (single-table design), so every submission copied the whole table: in
   the deadline drill 70 % of the devstack's CPU, growing with every write. The items are copied instead and
   put back on cancellation, which is what DynamoDB guarantees (the transaction's items are unchanged).
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_installed = False
_lock = threading.RLock()


class _TablesNotCopied:
    """Stands for the ``copy`` module inside moto's DynamoDB backend: a table is "copied" as itself."""

    def __init__(self, table_type: type) -> None:
        self.table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, self.table_type) else copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _saved_item(backend: Any, operation: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    """(table, hash value, range value, a copy of the stored item or None) of one transaction item; None
    when the item is malformed (moto's own validation then refuses the transaction)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        (kind, body), *_ = operation.items()
        table = backend.get_table(body["TableName"])
        source = body["Item"] if kind == "Put" else body["Key"]
        hash_value = DynamoType(source[table.hash_key_attr])
        range_value = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
        current = table.get_item(hash_value, range_value)
    except Exception:
        return None
    return table, hash_value, range_value, copy.deepcopy(current)


def _restore(table: Any, hash_value: Any, range_value: Any, saved: Any) -> None:
    if range_value is None:
        if saved is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = saved
        return
    if saved is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = saved


def _with_item_rollback(original: Any) -> Any:
    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        saved = [found for operation in transact_items if (found := _saved_item(self, operation)) is not None]
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                _restore(table, hash_value, range_value, item)
            raise

    return transact_write_items


def _serialized(original: Any) -> Any:
    @functools.wraps(original)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(*args, **kwargs)

    return locked


def tune_dynamodb() -> None:
    """Install both changes (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        import moto.dynamodb.models as backend_module
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        backend_module.copy = _TablesNotCopied(Table)  # type: ignore[attr-defined,assignment]
        DynamoDBBackend.transact_write_items = _with_item_rollback(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
        _installed = True
