"""Reading scenarios from YAML and applying ``--set PATH=VALUE`` overrides by field path."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from se_sim.scenario.errors import InputError, describe_validation_error, read_yaml
from se_sim.scenario.schema import Scenario


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"households.count=500"`` → ``("households.count", 500)``; the value is read as YAML."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise InputError([f"--set {text!r}: expected PATH=VALUE, e.g. households.count=500"])
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise InputError([f"--set {text!r}: the value is not valid YAML"]) from None
    return path.strip(), value


def set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set ``value`` at a dotted path in nested dicts and lists (list items by index)."""
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(
                    [f"{source}: {path}: '{part}' is not an index of a list of {len(node)} items"]
                )
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
        else:
            where = ".".join(parts[:depth])
            raise InputError([f"{source}: {path}: {where} is a value, not a section"])
        if last:
            node[key] = value
        else:
            if isinstance(node, dict) and node.get(key) is None:
                node[key] = {}
            node = node[key]


def build_scenario(
    raw: Mapping[str, Any], source: str, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Validate ``raw``, then apply overrides to the resolved scenario and validate again."""
    try:
        scenario = Scenario.model_validate(dict(raw))
    except ValidationError as exc:
        raise describe_validation_error(source, exc, Scenario) from None
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="json")
    for path, value in overrides.items():
        set_path(data, path, copy.deepcopy(value), f"{source} (override)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(f"{source} (override)", exc, Scenario) from None


def load_scenario(
    path: str | Path, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> Scenario:
    """Load and validate a scenario file; overrides are a mapping or ``PATH=VALUE`` strings."""
    if overrides is not None and not isinstance(overrides, Mapping):
        overrides = dict(parse_assignment(text) for text in overrides)
    return build_scenario(read_yaml(path), str(path), overrides)
