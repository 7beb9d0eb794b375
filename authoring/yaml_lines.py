"""YAML that remembers where things are: mappings and lists carry the
1-based line of each key, value and item, so a problem can be reported as
`file:line`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml


class LineDict(dict):
    """A mapping with `line` (its own), `key_lines` and `value_lines`."""

    line: int = 0
    key_lines: Dict[Any, int]
    value_lines: Dict[Any, int]


class LineList(list):
    """A list with `line` (its own) and `item_lines`."""

    line: int = 0
    item_lines: List[int]


SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(SAFE_LOADER):
    """SafeLoader (libyaml when available) building LineDict and LineList."""


def _mapping(loader: _Loader, node: yaml.MappingNode):
    data = LineDict()
    data.line, data.key_lines, data.value_lines = node.start_mark.line + 1, {}, {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = value_node.start_mark.line + 1


def _sequence(loader: _Loader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load(path: Path) -> Any:
    """A YAML file with line numbers; a syntax error names file and line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(f"{path}:{line}: not valid YAML: {error.problem}") from error


class YamlError(ValueError):
    """A file that is not valid YAML (the message names file and line)."""


def block_lines(parent: LineDict, key: str) -> List[int]:
    """The line of each line of a block scalar (`examples: |`), in order."""
    first = parent.value_lines[key]
    return [first + 1 + i for i in range(len(str(parent[key]).splitlines()))]
