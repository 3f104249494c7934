"""Queries a calendar feed asks on every poll, turned into SQL once per process instead of once per request.

Building a Django query (filters through joins, OR-ed owner conditions, a subquery) and compiling it to SQL
cost several times more than the database took to answer it: a feed's link look-up and validators were
≈ 15 ms of Python for ≈ 1 ms of SQLite. A `CompiledQuery` is built once from the same QuerySet the ORM path
uses, with placeholder values ("sentinels") for what changes between requests (the owner's id, the feed
window, the link's hash); the sentinels are found again among the compiled parameters, so a request only
fills in its own values and runs the SQL, then applies the same converters the ORM would (aware datetimes,
UUIDs). If a sentinel cannot be found (the ORM folded it into the SQL text), the query is not compiled and
callers use the ORM as before.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class CompiledQuery:
    alias: str
    sql: str
    slots: tuple[tuple[bool, Any], ...]  # per parameter: (True, argument name) or (False, constant)
    # (column, (converter functions, expression)): the backend's and the fields' from-database conversions,
    # taken when compiling; they read settings (time zone), not the compiling thread's open connection.
    converters: tuple[tuple[int, tuple[list, Any]], ...]

    def rows(self, **args: Any) -> list[tuple]:
        connection = connections[self.alias]
        adapt = connection.ops.adapt_datetimefield_value
        values = {name: adapt(value) if isinstance(value, datetime) else value for name, value in args.items()}
        params = [values[slot] if is_arg else slot for is_arg, slot in self.slots]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


_COMPILED: dict[tuple, CompiledQuery | None] = {}


def compiled(key: tuple, build: Callable[..., QuerySet], *, wrap: Callable[[str], str] | None = None,
             using: str = DEFAULT_DB_ALIAS, **sentinels: Any) -> CompiledQuery | None:
    """The query `build(**sentinels)` compiled once per process and database (`key` names the shape: one
    per feed kind). `wrap` puts the SQL inside a larger statement (then no converters apply). Each
    sentinel must be a value no constant of the query can equal; None if one is not found."""
    full_key = (using, *key)
    if full_key in _COMPILED:
        return _COMPILED[full_key]
    connection = connections[using]
    queryset = build(**sentinels)
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    adapt = connection.ops.adapt_datetimefield_value
    wanted = {name: adapt(value) if isinstance(value, datetime) else value for name, value in sentinels.items()}
    slots, found = [], set()
    for param in params:
        name = next((n for n, v in wanted.items() if type(v) is type(param) and v == param), None)
        if name is None:
            slots.append((False, param))
        else:
            slots.append((True, name))
            found.add(name)
    result: CompiledQuery | None = None
    if found == set(sentinels):
        converters: tuple = ()
        if wrap is not None:
            sql = wrap(sql)
        else:
            columns = [column for column, _sql, _alias in compiler.select]
            converters = tuple(compiler.get_converters(columns).items())
        result = CompiledQuery(alias=using, sql=sql, slots=tuple(slots), converters=converters)
    _COMPILED[full_key] = result
    return result
