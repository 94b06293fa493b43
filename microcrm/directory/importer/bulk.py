"""Bulk inserts of the import's write phase, and their journal rows.

On SQLite the rows go straight to the driver's ``executemany`` with the
columns' own bind processors applied (the values stored are those Core would
store), like ``storage.bulk.insert_rows``, with one difference that matters at
100,000 rows: a processor's result is memoised per column, because most
processed values repeat (the audit timestamps, the booleans, the stage), so a
row costs a tuple build instead of a dozen Python calls. On PostgreSQL the
rows go through a Core ``insert()`` (psycopg pipelines ``executemany``).

Core inserts bypass the write session's ``after_flush`` hook: every row
inserted or updated is journalled here, with the same columns as
``storage.journal.record`` writes (``journal.record`` itself on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Final

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from microcrm.models import ChangeLog, utcnow
from microcrm.storage import journal
from microcrm.storage.bulk import table_of

_MEMO_LIMIT: Final = 4096
"""Distinct values memoised per column; beyond, values are converted each time."""


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            out = process(value)
            if len(cache) < _MEMO_LIMIT:
                cache[value] = out
            return out
        except TypeError:  # unhashable: never the case for our columns, but be safe
            return process(value)

    return convert


class BulkInserter:
    """Inserts lists of row dicts (same keys in every row) and journals them.

    Args:
        session: The write session (its transaction is the import's).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self._converters: dict[tuple[str, str], Callable[[Any], Any] | None] = {}
        self._changelog = table_of(ChangeLog)

    def _converter(self, table: Table, name: str) -> Callable[[Any], Any] | None:
        key = (table.name, name)
        if key not in self._converters:
            dialect = self.session.get_bind().dialect
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            self._converters[key] = _memoised(process) if process is not None else None
        return self._converters[key]

    def _sqlite_insert(self, table: Table, names: list[str], rows: Sequence[Any]) -> None:
        """``rows`` are dicts keyed by ``names``."""
        getter = itemgetter(*names)
        processed = [
            (i, conv) for i, name in enumerate(names) if (conv := self._converter(table, name))
        ]
        data: list[Any] = []
        append = data.append
        for row in rows:
            values = getter(row)
            if len(names) == 1:
                values = (values,)
            if processed:
                cells = list(values)
                for i, conv in processed:
                    cells[i] = conv(cells[i])
                values = tuple(cells)
            append(values)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )
        self.session.connection().exec_driver_sql(sql, data)

    def insert(
        self, table: Table, rows: Sequence[dict[str, Any]], entity: str | None = None
    ) -> int:
        """Insert ``rows``; with ``entity``, journal them as inserted (version 1).

        Returns:
            The number of rows inserted.
        """
        if not rows:
            return 0
        if self.sqlite:
            self._sqlite_insert(table, list(rows[0]), rows)
        else:
            self.session.execute(insert(table), list(rows))
        if entity:
            self.journal(entity, [r["id"] for r in rows], "insert")
        return len(rows)

    def journal(
        self,
        entity: str,
        ids: Sequence[int],
        op: str,
        versions: Sequence[int | None] | None = None,
    ) -> None:
        """One journal row per id (``versions``: the new versions; inserts are version 1)."""
        if not ids:
            return
        if not self.sqlite:
            journal.record(self.session, entity, ids, op, versions)
            return
        info = self.session.info
        vers = versions if versions is not None else [1 if op == "insert" else None] * len(ids)
        common = {
            "ts": utcnow(),
            "workstation_id": info.get("workstation_id", ""),
            "user_login": info.get("user_login"),
            "entity": entity,
            "op": op,
        }
        names = [*common, "entity_id", "new_version"]
        rows = [
            {**common, "entity_id": i, "new_version": v} for i, v in zip(ids, vers, strict=True)
        ]
        self._sqlite_insert(self._changelog, names, rows)
