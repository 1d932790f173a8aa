"""Readable errors for bad input: one line per problem with file, field, value, what is allowed."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """Bad user input (a file, a field, an override); the CLI prints it and exits with code 2."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def did_you_mean(name: str, valid: list[str]) -> str:
    """``"; did you mean 'count'?"`` for the closest valid name, or nothing."""
    close = difflib.get_close_matches(name, valid, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice; plain YAML loading would silently keep the last."""

    def __init__(self, key: Any, first: yaml.Mark, second: yaml.Mark):
        self.key, self.first, self.second = key, first, second
        super().__init__(f"duplicate key {key!r}")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (at any nesting level)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<' merges are YAML's way to reuse a mapping, not a repeat
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:
                continue  # unhashable keys are refused by the constructor below
            if first is not key_node.start_mark:
                raise DuplicateKeyError(key, first, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Load a YAML mapping; a missing, unreadable, binary or empty file, bad syntax or a key
    given twice becomes an InputError."""
    path = Path(path)
    if path.is_dir():
        raise InputError([f"{path}: is a folder; give a YAML file"])
    if not path.is_file():
        raise InputError([f"{path}: no such file"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not a text file (UTF-8): byte {exc.object[exc.start]:#04x} "
                          f"at position {exc.start}"]) from None
    except OSError as exc:
        raise InputError([f"{path}: cannot be read: {exc.strerror}"]) from None
    if not text.strip():
        raise InputError([f"{path}: is empty; expected a YAML mapping of sections"])
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: safe
    except DuplicateKeyError as exc:
        raise InputError([f"{path}: key '{exc.key}' is given twice, on line {exc.first.line + 1} "
                          f"and line {exc.second.line + 1}; keep one"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([f"{path}{where}: not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: must be a YAML mapping of sections, got {type(data).__name__}"])
    return data


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The schema classes inside an annotation (a class, a list of them, a union of them)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def _walk(schema: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, type[BaseModel] | None]:
    """The YAML path of a pydantic error location, and the class holding its last field.

    Pydantic adds union tags (``interventions.1.training.month``) to locations; readers think
    in YAML paths (``interventions.1.month``), so tags are dropped while walking the schema.
    """
    parts: list[str] = []
    current: list[type[BaseModel]] = [schema]
    parent: type[BaseModel] | None = schema
    for part in loc:
        if isinstance(part, int):
            parts.append(str(part))
            continue
        tagged = [m for m in current if part not in m.model_fields and _tag(m) == part]
        if tagged:
            current = tagged
            parent = tagged[0]
            continue
        holder = next((m for m in current if part in m.model_fields), None)
        parts.append(str(part))
        parent = holder if holder is not None else (current[0] if len(current) == 1 else None)
        # A part that names no field is a mapping's key (a target's metric): same schema below.
        current = _models_in(holder.model_fields[part].annotation) if holder else current
    return ".".join(parts) or "(top level)", parent


def _tag(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    args = getattr(kind.annotation, "__args__", ()) if kind else ()
    return args[0] if len(args) == 1 else None


MAX_SHOWN_VALUE = 80  # characters of a wrong value quoted in its error line


def describe_validation_error(
    source: str, error: ValidationError, schema: type[BaseModel]
) -> InputError:
    """Turn pydantic's error list into one readable line per problem."""
    lines = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.endswith("]")))
        path, holder = _walk(schema, loc)
        if item["type"] == "extra_forbidden":
            valid = sorted(holder.model_fields) if holder else []
            hint = did_you_mean(str(loc[-1]), valid)
            lines.append(f"{source}: {path}: unknown field{hint} (valid here: {', '.join(valid)})")
            continue
        # a rule across a section (or the whole file) would show all of it as its value
        value = repr(item.get("input"))
        hidden = item["type"] == "missing" or not loc or len(value) > MAX_SHOWN_VALUE
        shown = "" if hidden else f" = {value}"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {path}{shown}: {message}")
    return InputError(lines)
