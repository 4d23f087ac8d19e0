"""Bulk writes for generated traffic: COPY on PostgreSQL, batches elsewhere."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

from django.db import connection, models

# Rows are written in slices of this many, to bound memory on SQLite.
SLICE = 5_000


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """Reserve count primary keys of model's table for rows written later."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # Elsewhere a transaction holds the only writer, so the next ids after
        # the largest are free until this transaction writes them.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def tables_analyze(*models_: type[models.Model]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


@contextmanager
def indexes_deferred(*models_: type[models.Model]) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load; build them after.

    PostgreSQL builds an index from sorted rows many times faster than it
    adds the same rows one by one. Only for a database of its own: the
    tables stay locked until the transaction ends. Elsewhere, does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
            "pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid AND c.contype = 'u' "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary",
            [[model._meta.db_table for model in models_]],
        )
        indexes = cursor.fetchall()
        for table, index, _definition, constraint, _rule in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            else:
                cursor.execute(f"DROP INDEX {index}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, _index, definition, constraint, rule in indexes:
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {rule}"
                )
            else:
                cursor.execute(definition)


class BulkWriter:
    """Collect rows for one table and write them in one go."""

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        defaults: tuple[Any, ...] = (),
    ) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.defaults = defaults
        self.rows: list[tuple[Any, ...]] = []

    @classmethod
    def for_model(cls, model: type[models.Model], names: Sequence[str]) -> BulkWriter:
        """Write rows of the named fields' values; other columns get their default.

        Defaults are prepared once and added to each row, so a model that
        gains a field with a default keeps working without a change here.
        """
        fields = {f.attname: f for f in model._meta.concrete_fields}
        named = [fields[name] for name in names]
        rest = [f for f in fields.values() if f not in named and not f.primary_key]
        return cls(
            model,
            [f.column for f in [*named, *rest] if f.column],
            tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest),
        )

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row + self.defaults if self.defaults else row)

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self.copy(cursor.cursor)
            else:
                columns = ", ".join(self.columns)
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
                for start in range(0, len(self.rows), SLICE):
                    cursor.executemany(
                        sql, [_adapt(row) for row in self.rows[start : start + SLICE]]
                    )
        self.rows = []

    def copy(self, cursor: Any) -> None:
        """Write the rows with the driver's binary COPY (PostgreSQL).

        Some ten times faster than INSERTs; binary spares both sides the
        formatting and parsing of text, most of all for times.
        """
        if not self.rows:
            return
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0",
            [self.table],
        )
        types = dict(cursor.fetchall())
        columns = ", ".join(self.columns)
        statement = f"COPY {self.table} ({columns}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types([types[column] for column in self.columns])
            for row in self.rows:
                copy.write_row(row)
        self.rows = []


class BulkLoad:
    """Write batches of rows while the caller makes the next batch.

    On PostgreSQL a thread runs each batch's COPY, so the server stores and
    indexes one batch while Python computes the next: two cores at work
    instead of one. One batch is in flight at a time, and the caller must
    leave the connection alone until write() or close() returns. Elsewhere
    each batch is written at once.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> BulkLoad:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            self.wait()
        else:
            # Let the batch in flight end before the transaction rolls back.
            self._join()

    def write(self, writers: Sequence[BulkWriter]) -> None:
        """Write the writers' rows in order, in the background if possible."""
        self.wait()
        if connection.vendor != "postgresql":
            for writer in writers:
                writer.flush()
            return
        connection.ensure_connection()
        self._thread = threading.Thread(
            target=self._copy, args=(connection.connection, writers), daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        """Return once the batch in flight is written; raise what it raised."""
        self._join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _copy(self, driver_connection: Any, writers: Sequence[BulkWriter]) -> None:
        try:
            with driver_connection.cursor() as cursor:
                for writer in writers:
                    writer.copy(cursor)
        except BaseException as error:  # handed to the caller by wait()
            self._error = error


def _adapt(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Spell values the way the ORM stores them, not as the driver would.
    return tuple(_adapt_value(value) for value in row)


def _adapt_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value
