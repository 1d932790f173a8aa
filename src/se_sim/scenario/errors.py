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


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Load a YAML mapping, turning a missing file or bad syntax into an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError([f"{path}: no such file"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([f"{path}{where}: not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: must be a YAML mapping of sections, got {type(data).__name__}"])
    return data


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _submodel_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema class holding the field at ``loc[:-1]``, to suggest names for an unknown key."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part)) if hasattr(current, "model_fields") else None
        if field is None:
            return None
        current = _model_in(field.annotation)
        if current is None:
            return None
    return current if hasattr(current, "model_fields") else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def describe_validation_error(
    source: str, error: ValidationError, schema: type[BaseModel]
) -> InputError:
    """Turn pydantic's error list into one readable line per problem."""
    lines = []
    for item in error.errors():
        loc = tuple(item["loc"])
        # Discriminated unions add the tag to the location; readers think in YAML paths.
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.endswith("]")))
        path = _dotted(loc)
        kind = item["type"]
        if kind == "extra_forbidden":
            parent = _submodel_at(schema, loc)
            valid = sorted(parent.model_fields) if parent else []
            close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            lines.append(f"{source}: {path}: unknown field{hint} (valid here: {', '.join(valid)})")
            continue
        value = item.get("input")
        shown = "" if kind == "missing" else f" = {value!r}"
        lines.append(f"{source}: {path}{shown}: {item['msg']}")
    return InputError(lines)
