"""moto's DynamoDB, made fit for many writers in one process (the devstack and the in-process tests).

Three changes, installed once by :func:`tune_dynamodb`:

1. One lock around moto's reads and writes. A state machine's Lambda task writes beside an API request; moto's
   ``TransactWriteItems`` is not safe against a concurrent write (it failed with "dictionary changed size
   during iteration"), and a read beside a write could see an item half made (an update creating the audit
   chain's head answered a head without its ``seq`` to a concurrent sign-in): DynamoDB never shows either.
2. A transaction's rollback copy holds only the items it touches. moto deep-copies every table a
   transaction names, to restore it if the transaction is cancelled; jGrants keeps applications, history,
   queue and audit chain in one table (single-table design), so every submission copied the whole table: in
   the deadline drill 70 % of the devstack's CPU, growing with every write. The items are copied instead and
   put back on cancellation, which is what DynamoDB guarantees (the transaction's items are unchanged).
3. A query reads its partition only. moto's ``Table.query`` lists and sorts every item of the table, then
   keeps those of the queried partition (and sorts them again); with the drill's growing single table that
   was 30 % of the devstack's CPU. During a query, ``all_items`` answers the queried partition (a key
   query) or the items unsorted (an index query, which sorts its matches itself): the same results.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_installed = False
_lock = threading.RLock()
_query_scope = threading.local()  # the table a query of this thread runs on, and the partition it reads


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


def _scoped_query(original: Any) -> Any:
    @functools.wraps(original)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        _query_scope.table, _query_scope.hash_key = self, None if index_name else hash_key
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.table = None

    return query


def _partition_items(original: Any) -> Any:
    @functools.wraps(original)
    def all_items(self: Any) -> Any:
        querying: bool = getattr(_query_scope, "table", None) is self
        if not querying:
            return original(self)  # a scan, an export: moto's sorted list
        # list() copies a dict view in one step, so a concurrent write cannot change it under the loop
        if _query_scope.hash_key is not None:
            partition = self.items.get(_query_scope.hash_key)
            if partition is None:
                return []
            return list(partition.values()) if self.range_key_attr else [partition]
        hash_sets = list(self.items.values())
        if not self.range_key_attr:
            return hash_sets
        return [item for hash_set in hash_sets for item in list(hash_set.values())]

    return all_items


def tune_dynamodb() -> None:
    """Install the three changes (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        import moto.dynamodb.models as backend_module
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        backend_module.copy = _TablesNotCopied(Table)  # type: ignore[attr-defined,assignment]
        DynamoDBBackend.transact_write_items = _with_item_rollback(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
        for name in ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query", "scan"):
            setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
        Table.query = _scoped_query(Table.query)  # type: ignore[method-assign]
        Table.all_items = _partition_items(Table.all_items)  # type: ignore[method-assign]
        _installed = True
