"""Load one mapping file, and turn pydantic's validation errors into located problems.

Pydantic reports an error by ``loc``, a path through the *model*: it contains the tags
of tagged unions (``measure``/``sum``/...) and the labels of plain unions
(``Selection``, ``list[Selection]``). Walking that path alongside the model's types and
the loaded data separates real keys from tags, finds the position the user wrote, and
drops the errors of union branches that plainly do not fit what was written (a mapping
was given, so "Input should be a valid list" is noise).
"""

from __future__ import annotations

import contextlib
import difflib
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails

from okrsync.errors import Problem
from okrsync.mapping.models import (
    MEASURE_NAMES,
    CreateSpec,
    CycleDates,
    Defaults,
    FieldSpec,
    FormulaInput,
    KeyResult,
    MappingFile,
    MetricSpec,
    Objective,
    Override,
    Push,
    Selection,
    Where,
    formula_problems,
)
from okrsync.mapping.yamlpos import Pos, YamlDoc, load_yaml

DataPath = tuple[Any, ...]
_MISSING: Any = object()

# How a model is named in messages; others are named by the key they sit under.
MODEL_NAMES: dict[type[BaseModel], str] = {
    MappingFile: "the mapping file",
    Objective: "objective",
    KeyResult: "key result",
    Selection: "selection",
    Where: "where",
    Push: "push",
    Override: "override",
    Defaults: "defaults",
    CreateSpec: "create",
    FieldSpec: "field",
    CycleDates: "cycle",
    FormulaInput: "formula input",
    MetricSpec: "metric",
}


# --- walking a pydantic loc ---------------------------------------------------------------


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _tag(tp: Any) -> str | None:
    if get_origin(tp) is Annotated:
        for meta in tp.__metadata__:
            if isinstance(meta, Tag):
                return meta.tag
    return None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _kind(tp: Any) -> str:
    """What shape of YAML a type accepts: mapping, list or scalar."""
    tp = _strip(tp)
    origin = get_origin(tp)
    if _is_model(tp) or origin is dict or tp is dict:
        return "mapping"
    if origin in (list, tuple, set) or tp in (list, tuple, set):
        return "list"
    return "scalar"


def _data_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "scalar"


_WRAPPED = re.compile(r"^function-\w+\[.*, ([^,\]]+)\]$")


def _branch_for_label(branches: list[Any], label: str) -> Any:
    """The branch of a plain union that pydantic names ``label`` in a loc."""
    # A model with validators is labelled ``function-after[_check(), Model]``.
    if match := _WRAPPED.match(label):
        label = match.group(1).strip()
    for branch in branches:
        tp = _strip(branch)
        origin = get_origin(tp)
        if _is_model(tp) and label == tp.__name__:
            return branch
        if origin is list and label.startswith("list["):
            return branch
        if origin is dict and label.startswith("dict["):
            return branch
        if origin is Literal and label.startswith("literal["):
            return branch
        if isinstance(tp, type) and label in (tp.__name__, f"constrained-{tp.__name__}"):
            return branch
    return None


@dataclass
class _Walk:
    path: DataPath = ()
    data: Any = None
    owner: Any = None  # the type that holds the last element of the path
    final: Any = None  # the type at the end of the path
    key_error: bool = False  # the error is about a mapping key itself
    union_at: DataPath | None = None  # where the last plain union was crossed
    mismatch: bool = False  # the error's union branch cannot fit the data


def _field_type(model: type[BaseModel], name: Any) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias, info.validation_alias):
            return info.annotation
    return Any


def _descend(data: Any, key: Any) -> Any:
    if isinstance(data, dict) and key in data:
        return data[key]
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    return _MISSING


def _walk(root: Any, data: Any, loc: tuple[Any, ...]) -> _Walk:
    walk = _Walk(data=data, final=root)
    tp: Any = root
    i = 0
    while i < len(loc):
        element = loc[i]
        if _is_union(_strip(tp)):
            branches = [b for b in get_args(_strip(tp)) if b is not type(None)]
            if len(branches) == 1:
                tp = branches[0]
                continue
            tags = {_tag(b): b for b in branches if _tag(b) is not None}
            if tags:
                tp = tags.get(element, Any)
            else:
                chosen = _branch_for_label(branches, str(element))
                kinds = [_kind(b) for b in branches]
                walk.union_at = walk.path
                fits = _data_kind(walk.data)
                # An error of a branch of another shape than what was written is noise,
                # unless no branch has that shape (then every branch's error is merged).
                if chosen is not None and _kind(chosen) != fits and fits in kinds:
                    walk.mismatch = True
                tp = Any if chosen is None else chosen
            i += 1
            continue
        stripped = _strip(tp)
        origin = get_origin(stripped)
        walk.owner = stripped
        if _is_model(stripped):
            tp = _field_type(stripped, element)
        elif origin in (list, tuple, set):
            tp = get_args(stripped)[0] if get_args(stripped) else Any
        elif origin is dict:
            key_type, value_type = get_args(stripped) or (Any, Any)
            if i + 1 < len(loc) and loc[i + 1] == "[key]":
                walk.key_error = True
                tp = key_type
                walk.path = (*walk.path, element)
                walk.data = element
                i += 2
                continue
            tp = value_type
        else:
            tp = Any
        walk.path = (*walk.path, element)
        walk.data = _descend(walk.data, element)
        i += 1
    walk.final = tp
    return walk


# --- wording ----------------------------------------------------------------------------


def describe(value: Any) -> str:
    """A short, safe description of a value the user wrote."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        # A whole file read as one text (a config given as a mapping, say) stays short.
        return repr(value) if len(value) <= 80 else f"a text of {len(value):,} characters"
    if isinstance(value, datetime | date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def closest(word: Any, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: Any, choices: list[str]) -> str:
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _literal_values(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    return []


_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not .nan or .inf)",
    "date_type": "a date such as 2027-02-20",
    "date_parsing": "a date such as 2027-02-20",
    "date_from_datetime_parsing": "a date such as 2027-02-20",
    "date_from_datetime_inexact": "a date such as 2027-02-20",
    "datetime_type": "a date and time such as 2027-02-20T09:00:00Z",
    "datetime_parsing": "a date and time such as 2027-02-20T09:00:00Z",
    "datetime_from_date_parsing": "a date and time such as 2027-02-20T09:00:00Z",
}


@dataclass
class ErrorContext:
    """How to word and place errors for one validated document."""

    doc: YamlDoc
    prefix: DataPath = ()  # where the validated data sits inside the document
    names: Mapping[type[BaseModel], str] = field(default_factory=lambda: MODEL_NAMES)
    hide: Callable[[DataPath], bool] = lambda _path: False  # paths whose values are secret

    def owner_name(self, owner: Any, path: DataPath) -> str:
        if _is_model(owner) and owner in self.names:
            return self.names[owner]
        measures = [f for f in getattr(owner, "model_fields", {}) if f in MEASURE_NAMES]
        if len(measures) == 1:
            return f"measure '{measures[0]}'"
        keys = [p for p in path if isinstance(p, str)]
        if keys:
            return f"'{keys[-1]}'"
        return "the file"

    def shown(self, path: DataPath, value: Any) -> str:
        if self.hide(path):
            return "the given value"
        return describe(value)


def _key_name(path: DataPath) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return keys[-1] if keys else "value"


def _expectation(error: ErrorDetails, walk: _Walk) -> str:
    kind = error["type"]
    if kind == "literal_error":
        values = _literal_values(walk.final)
        if values:
            return " or ".join(_show_literal(v) for v in values)
        return str(error.get("ctx", {}).get("expected", ""))
    return _EXPECTED.get(kind, "")


def _show_literal(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _message(error: ErrorDetails, walk: _Walk, ctx: ErrorContext) -> str:
    kind = error["type"]
    path = walk.path
    value = walk.data if walk.data is not _MISSING else error.get("input")
    key = _key_name(path)
    owner = walk.owner
    if kind == "extra_forbidden":
        return _unknown_key(path[-1], owner, path[:-1], ctx)
    if kind == "missing":
        where = ctx.owner_name(owner, path[:-1])
        hint = " (add 'version: 1')" if owner is MappingFile and path[-1] == "version" else ""
        return f"missing required key '{path[-1]}' in {where}{hint}"
    if kind == "unknown_measure":
        return _unknown_measure(value)
    if walk.key_error:
        return f"keys of '{_key_name(path[:-1])}' must be text, got {describe(path[-1])}"
    if kind == "literal_error":
        values = _literal_values(walk.final)
        if key == "measure" and isinstance(value, dict) and values:
            return f"measure '{values[0]}' takes no settings: write 'measure: {values[0]}'"
        shown = [str(v) for v in values] or re.findall(r"'([^']*)'", _expectation(error, walk))
        given = "the given value" if ctx.hide(path) else _plain(value)
        hint = did_you_mean(value, shown) if isinstance(value, str) else ""
        return f"invalid value {given} for '{key}'{hint}; valid values: {', '.join(shown)}"
    if kind in ("value_error", "assertion_error"):
        text = error["msg"]
        for lead in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(lead)
        return text
    if kind == "string_pattern_mismatch":
        if key == "id" or owner in (Objective, KeyResult):
            return (
                f"{ctx.shown(path, value)} is not a valid id: use lower-case letters, digits "
                "and dashes, starting with a letter or digit (e.g. faster-checkout)"
            )
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"{ctx.shown(path, value)} is not a valid '{key}' (expected the pattern {pattern})"
    if kind in ("string_too_short", "too_short"):
        least = error.get("ctx", {}).get("min_length", 1)
        if least == 1:
            return f"'{key}' must not be empty"
        unit = "items" if isinstance(value, list | dict) else "characters long"
        return f"'{key}' must be at least {least} {unit}"
    bounds = {
        "greater_than": ("gt", "greater than"),
        "greater_than_equal": ("ge", "at least"),
        "less_than": ("lt", "less than"),
        "less_than_equal": ("le", "at most"),
    }
    if kind in bounds:
        name, words = bounds[kind]
        limit = error.get("ctx", {}).get(name)
        return f"'{key}' must be {words} {limit}, got {ctx.shown(path, value)}"
    expected = _EXPECTED.get(kind)
    if expected:
        hint = ""
        if isinstance(value, bool) and expected == "text":
            hint = " (YAML reads yes/no/on/off as true/false: put the value in quotes)"
        return f"'{key}' expects {expected}, got {ctx.shown(path, value)}{hint}"
    return f"'{key}': {error['msg']}"


def _plain(value: Any) -> str:
    """A value as written: strings quoted, numbers and dates bare."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool | int | float | date) or value is None:
        return describe(value).removeprefix("the number ").removeprefix("the date ")
    return describe(value)


def _unknown_key(name: Any, owner: Any, parent: DataPath, ctx: ErrorContext) -> str:
    where = ctx.owner_name(owner, parent)
    valid = _keys_of(owner) if _is_model(owner) else []
    noun = "filter" if owner is Where else "key"
    text = f"unknown {noun} {describe(name)} in {where}{did_you_mean(name, valid)}"
    if valid:
        text += f"; valid {noun}s: {', '.join(valid)}"
    if (
        _is_model(owner)
        and set(owner.model_fields) & set(MEASURE_NAMES)
        and name in KeyResult.model_fields
    ):
        text += f" ('{name}' belongs beside 'measure', not inside it)"
    return text


def _unknown_measure(value: Any) -> str:
    names = ", ".join(MEASURE_NAMES)
    if isinstance(value, str) and value in MEASURE_NAMES:
        return f"measure '{value}' needs settings, e.g. {{{value}: ...}}; see the measures table"
    if isinstance(value, dict):
        named = [k for k in value if k in MEASURE_NAMES]
        if len(named) > 1:
            return f"a measure names exactly one of: {names}; this one names {', '.join(named)}"
        others = [k for k in value if k not in MEASURE_NAMES]
        if not others:
            return f"empty measure; valid measures: {names}"
        value = others[0]
    elif not isinstance(value, str):
        return f"a measure is a name or a mapping, got {describe(value)}; valid measures: {names}"
    hint = did_you_mean(value, list(MEASURE_NAMES))
    return f"unknown measure {describe(value)}{hint}; valid measures: {names}"


def _position(error: ErrorDetails, walk: _Walk, ctx: ErrorContext) -> Pos:
    full = (*ctx.prefix, *walk.path)
    if error["type"] == "extra_forbidden" or walk.key_error:
        return ctx.doc.key_pos(full)
    if error["type"] == "missing":
        return ctx.doc.value_pos(full[:-1])
    return ctx.doc.value_pos(full)


def translate(
    error: ValidationError | list[ErrorDetails], root: Any, data: Any, ctx: ErrorContext
) -> list[Problem]:
    """Every error of ``error`` as a located, actionable problem."""
    problems: list[Problem] = []
    # Errors of several branches of one plain union at one place are merged into one.
    merged: dict[tuple[DataPath, DataPath], list[tuple[ErrorDetails, _Walk]]] = {}
    errors = error.errors(include_url=False) if isinstance(error, ValidationError) else error
    for details in errors:
        walk = _walk(root, data, tuple(details["loc"]))
        if walk.mismatch:
            continue
        if walk.union_at is not None and details["type"] in (*_EXPECTED, "literal_error"):
            merged.setdefault((walk.union_at, walk.path), []).append((details, walk))
            continue
        pos = _position(details, walk, ctx)
        problems.append(Problem(ctx.doc.file, pos.line, pos.column, _message(details, walk, ctx)))
    for group in merged.values():
        details, walk = group[0]
        pos = _position(details, walk, ctx)
        if len(group) == 1:
            message = _message(details, walk, ctx)
        else:
            options = list(dict.fromkeys(_expectation(d, w) for d, w in group))
            value = walk.data if walk.data is not _MISSING else details.get("input")
            message = (
                f"'{_key_name(walk.path)}' expects {' or '.join(o for o in options if o)}, "
                f"got {ctx.shown(walk.path, value)}"
            )
        problems.append(Problem(ctx.doc.file, pos.line, pos.column, message))
    return list(dict.fromkeys(problems))


# --- one mapping file -------------------------------------------------------------------


@dataclass
class MappingDoc:
    """One loaded mapping file. ``model`` is None when the file has problems; the
    objectives that are valid on their own are kept for the checks across files."""

    file: str
    path: Path | None
    yaml: YamlDoc | None
    model: MappingFile | None = None
    objectives: list[tuple[int, Objective]] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    # Every KR that is valid on its own, with its path, even inside an invalid objective:
    # the checks across files (connectors, what they can do, pushes) still see it.
    key_results: list[tuple[DataPath, KeyResult]] = field(default_factory=list)

    def where(self, path: DataPath, *, key: bool = False) -> str:
        if self.yaml is None:
            return f"{self.file}:1:1"
        return self.yaml.where(path, key=key)


def load_mapping_text(
    text: str, file: str, path: Path | None = None
) -> tuple[MappingDoc, list[Problem]]:
    doc, problems = load_yaml(text, file)
    mapping = MappingDoc(file=file, path=path, yaml=doc)
    if doc is None:
        return mapping, problems
    data = doc.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else describe(data)
        problems.append(
            Problem(
                file,
                1,
                1,
                f"a mapping file holds 'version: 1', 'cycle' and 'objectives'; got {got}",
            )
        )
        return mapping, problems
    try:
        mapping.model = MappingFile.model_validate(data)
    except ValidationError as error:
        problems.extend(translate(error, MappingFile, data, ErrorContext(doc)))
        problems.extend(_unchecked_formulas(error, data, doc))
        _salvage(mapping, data)
    else:
        mapping.defaults = mapping.model.defaults
        mapping.objectives = list(enumerate(mapping.model.objectives))
        mapping.key_results = [
            (("objectives", i, "key_results", j), kr)
            for i, objective in mapping.objectives
            for j, kr in enumerate(objective.key_results)
        ]
        problems.extend(_cycle_target_problems(mapping, doc))
    if problems:
        mapping.model = None
    return mapping, problems


def _salvage(mapping: MappingDoc, data: dict[Any, Any]) -> None:
    """Keep what is valid on its own, so that checks across files still see it."""
    with contextlib.suppress(ValidationError):
        mapping.defaults = Defaults.model_validate(data.get("defaults") or {})
    objectives = data.get("objectives")
    if not isinstance(objectives, list):
        return
    for index, raw in enumerate(objectives):
        krs = raw.get("key_results") if isinstance(raw, dict) else None
        for kr_index, raw_kr in enumerate(krs if isinstance(krs, list) else []):
            with contextlib.suppress(ValidationError):
                kr = KeyResult.model_validate(raw_kr)
                mapping.key_results.append((("objectives", index, "key_results", kr_index), kr))
        try:
            mapping.objectives.append((index, Objective.model_validate(raw)))
        except ValidationError:
            continue


def _cycle_target_problems(mapping: MappingDoc, doc: YamlDoc) -> list[Problem]:
    """A KR's per-cycle ``targets`` name cycles of the file's plan, and only those."""
    assert mapping.model is not None
    plan = mapping.model.cycle_span
    names = [part.label for part in plan.parts]
    problems: list[Problem] = []
    for path, kr in mapping.key_results:
        for cycle in kr.targets or {}:
            if cycle in names:
                continue
            if not names:
                message = (
                    f"'targets' gives {cycle!r} a target, but this file's cycle "
                    f"{plan.label} is a single cycle: use 'target', or make the file a plan "
                    "(cycle: 2027-H1, or a list of cycles)"
                )
            else:
                message = (
                    f"'targets' names {cycle!r}, which is not a cycle of the plan "
                    f"{plan.label}; its cycles: {', '.join(names)}"
                )
            problems.append(doc.problem((*path, "targets", cycle), message, key=True))
    return problems


_KR_DEPTH = len(("objectives", 0, "key_results", 0))


def _unchecked_formulas(error: ValidationError, data: Any, doc: YamlDoc) -> list[Problem]:
    """The formula names of KRs whose other problems kept the KR's own checks from
    running (a malformed input, say): an unknown name is reported alongside them."""
    failed: set[DataPath] = set()
    checked: set[DataPath] = set()
    for details in error.errors(include_url=False):
        loc = tuple(details["loc"])
        if len(loc) >= _KR_DEPTH and loc[0] == "objectives" and loc[2] == "key_results":
            failed.add(loc[:_KR_DEPTH])
            if len(loc) == _KR_DEPTH:
                checked.add(loc)  # the KR's own checks ran, formula names included
    problems: list[Problem] = []
    for path in sorted(failed - checked, key=str):
        raw = _dig(data, path)
        measure = raw.get("measure") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(measure, dict):
            continue
        text = measure.get("formula")
        if not isinstance(text, str) or not text.strip():
            continue
        names = [
            name
            for inputs in (measure.get("inputs"), raw.get("inputs"))
            if isinstance(inputs, dict)
            for name in inputs
            if isinstance(name, str)
        ]
        for message in formula_problems(text, names):
            problems.append(doc.problem((*path, "measure", "formula"), message))
    return problems


def _dig(data: Any, path: DataPath) -> Any:
    """The raw value at ``path``, or None where the data has no such place."""
    for part in path:
        inside = data.get(part) if isinstance(data, dict) else None
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            inside = data[part]
        if inside is None:
            return None
        data = inside
    return data


def load_mapping_file(path: Path, file: str | None = None) -> tuple[MappingDoc, list[Problem]]:
    """Load and validate one mapping file; ``file`` is the name used in messages."""
    name = file or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return MappingDoc(name, path, None), [Problem(name, 1, 1, "the file is not UTF-8 text")]
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return MappingDoc(name, path, None), [
            Problem(name, 1, 1, f"cannot read the file: {reason}")
        ]
    return load_mapping_text(text, name, path)
