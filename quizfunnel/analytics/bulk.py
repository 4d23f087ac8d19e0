"""Bulk writes for generated traffic: COPY on PostgreSQL, batches elsewhere."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
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


class BulkWriter:
    """Collect rows for one table and write them in one go."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.template: list[tuple[str, Any]] = []
        self.rows: list[tuple[Any, ...]] = []

    @classmethod
    def for_model(cls, model: type[models.Model], names: Sequence[str]) -> BulkWriter:
        """Write rows given as {name: value}; other columns get their default.

        Defaults are prepared once, so a model that gains a field with a
        default keeps working without a change here.
        """
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.attname in names or not f.primary_key
        ]
        writer = cls(model, [f.column for f in fields if f.column])
        writer.template = [
            (f.attname, f.get_db_prep_save(f.get_default(), connection)) for f in fields
        ]
        return writer

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def add_values(self, values: Mapping[str, Any]) -> None:
        self.rows.append(
            tuple(values.get(name, default) for name, default in self.template)
        )

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The driver's COPY: some ten times faster than INSERTs.
                with cursor.cursor.copy(
                    f"COPY {self.table} ({columns}) FROM STDIN"
                ) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
                for start in range(0, len(self.rows), SLICE):
                    cursor.executemany(
                        sql, [_adapt(row) for row in self.rows[start : start + SLICE]]
                    )
        self.rows.clear()


def _adapt(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Spell values the way the ORM stores them, not as the driver would.
    return tuple(_adapt_value(value) for value in row)


def _adapt_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value
