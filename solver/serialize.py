"""Problem and Solution as plain JSON-safe data, so a decomposed part can travel to a background
worker (django-q2 pickles or JSON-encodes task arguments) and its Solution can travel back.

Only ints, floats, strings, booleans, None, lists and string-keyed dicts are produced:
frozensets become sorted lists, tuples become lists, enums their values, dates ISO strings, and the tuple keys of
``Problem.travel_minutes`` become ``"a|b"`` strings. ``*_from_dict(*_to_dict(x)) == x``
(tests/solver/test_serialize.py checks it with hypothesis). Standard library only.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import date
from enum import Enum
from functools import cache

from solver.problem import Problem, Solution

FORMAT = 1  # bump when a field changes meaning; from_dict refuses other versions
_SEP = "|"


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _encode(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset | set):
        return sorted(_encode(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for k, v in value.items():
            if isinstance(k, tuple):
                parts = [str(p) for p in k]
                if any(_SEP in p for p in parts):
                    raise ValueError(f"key {k!r} contains {_SEP!r}; cannot serialise")
                k = _SEP.join(parts)
            out[str(k)] = _encode(v)
        return out
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _decode(data: object, tp: object) -> object:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(data, inner)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ValueError(f"{tp.__name__}: expected an object, got {type(data).__name__}")
        hints = _hints(tp)
        kwargs = {f.name: _decode(data[f.name], hints[f.name]) for f in dataclasses.fields(tp) if f.name in data}
        return tp(**kwargs)
    if origin is frozenset:
        return frozenset(_decode(v, args[0]) for v in data)  # type: ignore[union-attr]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in data)  # type: ignore[union-attr]
        return tuple(_decode(v, a) for v, a in zip(data, args, strict=True))  # type: ignore[call-overload]
    if origin in (Mapping, dict, typing.Mapping):
        key_tp, value_tp = args
        out: dict[object, object] = {}
        for k, v in data.items():  # type: ignore[union-attr]
            if typing.get_origin(key_tp) is tuple:
                key: object = tuple(k.split(_SEP))
            else:
                key = k
            out[key] = _decode(v, value_tp)
        return out
    if tp is date:
        return date.fromisoformat(data)  # type: ignore[arg-type]
    if tp is object:
        return data
    if tp is float and isinstance(data, int):
        return float(data)
    return data


def problem_to_dict(problem: Problem) -> dict[str, object]:
    d = typing.cast(dict[str, object], _encode(problem))
    d["format"] = FORMAT
    return d


def problem_from_dict(data: Mapping[str, object]) -> Problem:
    if data.get("format") != FORMAT:
        raise ValueError(f"unsupported problem format {data.get('format')!r} (expected {FORMAT})")
    return typing.cast(Problem, _decode(dict(data), Problem))


def solution_to_dict(solution: Solution) -> dict[str, object]:
    d = typing.cast(dict[str, object], _encode(dataclasses.replace(solution, stats={})))
    # Stats are free-form (numbers, strings, nested dicts/lists); make them JSON-native.
    d["stats"] = json.loads(json.dumps(solution.stats, default=str))
    d["format"] = FORMAT
    return d


def solution_from_dict(data: Mapping[str, object]) -> Solution:
    if data.get("format") != FORMAT:
        raise ValueError(f"unsupported solution format {data.get('format')!r} (expected {FORMAT})")
    return typing.cast(Solution, _decode(dict(data), Solution))
