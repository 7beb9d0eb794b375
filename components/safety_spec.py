"""The data model of the safety files, checked whenever one is read: a
pattern file (`data/safety/<lang>.yml`) and the semantic net's
descriptions (`data/safety/descriptions.yml`). A misspelt key, a wrong
type, a duplicate key or an unknown sign id is an error naming the file
and line, so a typo can never silently switch a rule off."""

from __future__ import annotations

from pathlib import Path
from typing import (
    Any,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    get_args,
    get_origin,
)

import yaml
from pydantic import BaseModel, Extra, StrictStr, ValidationError

from components.safety_policy import Context

Location = Tuple[Union[str, int], ...]
Problem = Tuple[Location, str]
ModelT = TypeVar("ModelT", bound=BaseModel)


class SpecError(ValueError):
    """A safety file that does not fit its model: one `file:line: problem` a line."""


class Strict(BaseModel):
    """A mapping that takes only the keys it names."""

    class Config:
        extra = Extra.forbid


class Sign(Strict):
    """A red-flag sign or a crisis form and its patterns."""

    label: Optional[StrictStr] = None  # shown to staff; the sign id when missing
    phrases: List[StrictStr] = []  # words in this order
    together: List[List[StrictStr]] = []  # every part in one sentence, in any order
    apart: List[List[StrictStr]] = []  # every part somewhere in the message (a goodbye told over sentences)


class Lasting(Strict):
    """Red-flag signs that may be described as a lasting after-effect."""

    since: List[StrictStr] = []  # "since sepsis", "for months"
    on_effort: List[StrictStr] = []  # every time with effort or standing up


class Contexts(Strict):
    """The context word lists, one per `Context` (components/safety_policy.py)."""

    negation: List[StrictStr] = []
    negation_after: List[StrictStr] = []
    resolved: List[StrictStr] = []
    rising: List[StrictStr] = []
    faded: List[StrictStr] = []
    recovered: List[StrictStr] = []
    past: List[StrictStr] = []
    past_later: List[StrictStr] = []
    present: List[StrictStr] = []
    lasting_time: List[StrictStr] = []
    lifelong: List[StrictStr] = []
    assessed: List[StrictStr] = []
    on_effort: List[StrictStr] = []
    habitual: List[StrictStr] = []
    sudden: List[StrictStr] = []
    hypothetical: List[StrictStr] = []
    reported: List[StrictStr] = []
    not_a_sign: List[StrictStr] = []
    general_question: List[StrictStr] = []
    personal: List[StrictStr] = []
    past_verb: List[StrictStr] = []
    present_verb: List[StrictStr] = []
    reassuring: List[StrictStr] = []
    first_person: List[StrictStr] = []
    someone_else: List[StrictStr] = []
    clause_break: List[StrictStr] = []


class PatternSpec(Strict):
    """One language's pattern file."""

    version: Literal[1] = 1
    language: StrictStr
    expand: Dict[StrictStr, StrictStr] = {}  # spellings read as other words first
    red_flag: Dict[StrictStr, Sign] = {}
    lasting: Lasting = Lasting()
    crisis: Dict[StrictStr, Sign] = {}
    context: Contexts = Contexts()

    def signs(self, kind: str) -> Dict[str, Sign]:
        """The signs of a kind (red_flag or crisis)."""
        return getattr(self, kind)

    def context_lists(self) -> Dict[Context, List[str]]:
        """Every context word list by its name."""
        return {Context(name): phrases for name, phrases in self.context}


class Label(Strict):
    """A description's name for reviewers, in both languages."""

    en: StrictStr
    nl: StrictStr


class Description(Strict):
    """The reviewed sentences that describe one sign or crisis form."""

    label: Optional[Label] = None
    en: List[StrictStr] = []
    nl: List[StrictStr] = []


class Descriptions(Strict):
    """The semantic net's descriptions file."""

    version: Literal[1] = 1
    red_flag: Dict[StrictStr, Description] = {}
    crisis: Dict[StrictStr, Description] = {}
    ordinary: Dict[StrictStr, Description] = {}  # contrasts: not an emergency, in the same words


# ---------------------------------------------------------------- reading
def read_spec(path: Path) -> PatternSpec:
    """One language's pattern file, checked; SpecError names file and line."""
    data, lines, problems = _load(path)
    spec = _check(PatternSpec, data, str(path), lines, problems)
    red_flags = set(spec.red_flag)
    unknown = [
        (("lasting", name, index), f"lasting.{name}[{index}]: {sign!r} is not a red_flag sign of this file")
        for name, signs in spec.lasting
        for index, sign in enumerate(signs)
        if sign not in red_flags
    ]
    _raise(str(path), lines, unknown)
    return spec


def read_descriptions(path: Path, red_flag_signs: Iterable[str]) -> Descriptions:
    """The descriptions file, checked; a red_flag id must be one of `red_flag_signs`."""
    data, lines, problems = _load(path)
    descriptions = _check(Descriptions, data, str(path), lines, problems)
    known = set(red_flag_signs)
    unknown = [
        (("red_flag", sign), f"unknown red_flag sign {sign!r} (not in the pattern files)")
        for sign in descriptions.red_flag
        if sign not in known
    ]
    _raise(str(path), lines, unknown)
    return descriptions


def spec_of(data: Union[PatternSpec, Mapping[str, Any]], source: str = "pattern spec") -> PatternSpec:
    """A pattern spec from its dict form (as stored in a trained model)."""
    if isinstance(data, PatternSpec):
        return data
    return _check(PatternSpec, data, source, {}, [])


def merge_contexts(specs: Mapping[str, PatternSpec]) -> Dict[str, PatternSpec]:
    """Every language's context words (negations, times, question words)
    apply to every language's signs, so an English "not" also negates a
    Dutch sign word in a mixed message."""
    merged: Dict[str, List[str]] = {}
    for spec in specs.values():
        for name, phrases in spec.context:
            merged.setdefault(name, []).extend(phrases)
    context = Contexts(**merged)
    return {language: spec.copy(update={"context": context}) for language, spec in specs.items()}


def _load(path: Path) -> Tuple[Any, Dict[Location, int], List[Problem]]:
    """A YAML file's data, the line of every key and list item, and its duplicate keys."""
    loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        lines: Dict[Location, int] = {(): node.start_mark.line + 1 if node else 1}
        problems: List[Problem] = []
        if node is not None:
            _note_lines(loader, node, (), lines, problems)
        return loader.construct_document(node) if node else None, lines, problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise SpecError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML: {error.problem}") from error
    finally:
        loader.dispose()


def _note_lines(
    loader: yaml.SafeLoader, node: yaml.Node, at: Location, lines: Dict[Location, int], problems: List[Problem]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node)
            where = at + (key,)
            if where in lines:  # YAML keeps the last one: a duplicate hides the first
                problems.append((where, f"duplicate key {key!r} (first on line {lines[where]})"))
            lines[where] = key_node.start_mark.line + 1
            _note_lines(loader, value_node, where, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[at + (index,)] = item.start_mark.line + 1
            _note_lines(loader, item, at + (index,), lines, problems)


def _check(model: Type[ModelT], data: Any, source: str, lines: Dict[Location, int], problems: List[Problem]) -> ModelT:
    """`data` as `model`, or SpecError listing every problem with its line."""
    try:
        checked = model.parse_obj(data)
    except ValidationError as error:
        problems = problems + [_problem(model, e) for e in error.errors()]
        checked = None
    _raise(source, lines, problems)
    assert checked is not None
    return checked


def _problem(model: Type[BaseModel], error: Mapping[str, Any]) -> Problem:
    """One pydantic error as (location, message)."""
    at: Location = tuple(part for part in error["loc"] if part != "__root__")
    if error["type"] == "value_error.extra":
        parent = _model_at(model, at[:-1])
        known = ", ".join(parent.__fields__) if parent else "?"
        inside = f" in {_dotted(at[:-1])}" if at[:-1] else ""
        return at, f"unknown key {at[-1]!r}{inside} (known: {known})"
    if error["type"] == "value_error.missing":
        return at, f"{_dotted(at)}: required key missing"
    return at, f"{_dotted(at) or 'the file'}: {error['msg']}"


def _raise(source: str, lines: Dict[Location, int], problems: Sequence[Problem]) -> None:
    if problems:
        found = sorted((_line(lines, at), message) for at, message in problems)
        raise SpecError("\n".join(f"{source}:{line}: {message}" for line, message in found))


def _line(lines: Dict[Location, int], at: Location) -> int:
    """The line of `at`, or of the nearest enclosing key that has one."""
    for size in range(len(at), -1, -1):
        if at[:size] in lines:
            return lines[at[:size]]
    return 0


def _dotted(at: Location) -> str:
    text = ""
    for part in at:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + ("<key>" if part == "__key__" else str(part))
    return text


def _model_at(model: Type[BaseModel], at: Location) -> Optional[Type[BaseModel]]:
    """The model that checks the mapping at `at` (None if that is no model)."""
    kind: Any = model
    for part in at:
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.__fields__.get(str(part))
            if field is None:
                return None
            kind = field.outer_type_
        elif get_origin(kind) in (dict, list):
            kind = get_args(kind)[-1]
        else:
            return None
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None
