"""The project's content as the authoring tools see it: topics, examples,
answers, rules, stories and contacts, each with the file and line it came
from. Read-only; paths are relative to the project root."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, cast

from authoring.yaml_lines import LineDict, block_lines, load
from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
STORY_LANGUAGE = re.compile(r"\((nl|en)\)\s*$")


@dataclass(frozen=True)
class Place:
    """A file (relative to the root) and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Example:
    """One NLU example."""

    intent: str
    language: str
    text: str
    place: Place


@dataclass
class Variant:
    """One variant of a response."""

    response: str
    text: str
    language: Optional[str]
    country: Optional[str]
    place: Place
    summary: str = ""  # metadata.summary: what the widget shows first (topic answers)
    summary_place: Optional[Place] = None


@dataclass
class Response:
    """A response of the domain and its variants."""

    name: str
    place: Place
    variants: List[Variant] = field(default_factory=list)


@dataclass
class Conversation:
    """A rule or story: its name, language (stories named `... (en)`), the
    intents and actions of its steps."""

    kind: str
    name: str
    place: Place
    intents: List[str]
    actions: List[str]
    in_form: bool = False

    @property
    def language(self) -> Optional[str]:
        found = STORY_LANGUAGE.search(self.name)
        return found.group(1) if found else None


def plain(example: str) -> str:
    """An example without entity annotations, lower-cased and trimmed."""
    return ANNOTATION.sub(r"\1", example).strip().lower()


class Project:
    """The content of a project tree (the real one or a copy)."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = Path(root)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def place(self, path: Path, line: int) -> Place:
        return Place(self.rel(path), line)

    def files(self, folder: str, pattern: str = "*.yml") -> List[Path]:
        base = self.root / folder
        return sorted(base.rglob(pattern)) if base.exists() else []

    # ------------------------------------------------------------ catalogue
    @cached_property
    def catalogue_path(self) -> Path:
        return self.root / "content" / "topics.yml"

    @cached_property
    def topics(self) -> LineDict:
        """content/topics.yml's topics: {id: {title, signposts, ...}}."""
        return load(self.catalogue_path)["topics"]

    def topic_place(self, topic: str) -> Place:
        return self.place(self.catalogue_path, self.topics.key_lines[topic])

    @cached_property
    def organisations(self) -> LineDict:
        return load(self.root / "content" / "contacts.yml")["organisations"]

    # --------------------------------------------------------------- domain
    @cached_property
    def _domain(self) -> Tuple[Dict[str, Place], Dict[str, Response]]:
        intents: Dict[str, Place] = {}
        responses: Dict[str, Response] = {}
        for path in self.files("domain"):
            data = load(path) or {}
            listed = data.get("intents") or []
            for item, line in zip(listed, getattr(listed, "item_lines", [])):
                name = item if isinstance(item, str) else next(iter(item))
                intents[name] = self.place(path, line)
            found = data.get("responses") or {}
            for name, variants in found.items():
                response = Response(name, self.place(path, cast(Any, found).key_lines[name]))
                for variant, line in zip(variants or [], getattr(variants, "item_lines", [])):
                    slots = {c.get("name"): c.get("value") for c in variant.get("condition") or []}
                    text_line = variant.key_lines.get("text", line) if isinstance(variant, LineDict) else line
                    metadata = variant.get("metadata") or {}
                    summary_line = metadata.key_lines.get("summary", line) if isinstance(metadata, LineDict) else line
                    response.variants.append(
                        Variant(
                            name,
                            str(variant.get("text") or ""),
                            slots.get("language"),
                            slots.get("country"),
                            self.place(path, text_line),
                            str(metadata.get("summary") or "") if isinstance(metadata, dict) else "",
                            self.place(path, summary_line),
                        )
                    )
                responses[name] = response
        return intents, responses

    @property
    def intents(self) -> Dict[str, Place]:
        """Intents declared in domain/, with where."""
        return self._domain[0]

    @property
    def responses(self) -> Dict[str, Response]:
        """Responses of domain/, with where."""
        return self._domain[1]

    # ------------------------------------------------------------------ NLU
    def _examples(self, files: List[Path]) -> List[Example]:
        found = []
        for path in files:
            for block in (load(path) or {}).get("nlu") or []:
                if "intent" not in block or "examples" not in block:
                    continue
                language = (block.get("metadata") or {}).get("language", "?")
                for line, number in zip(str(block["examples"]).splitlines(), block_lines(block, "examples")):
                    if line.strip().startswith("- "):
                        found.append(
                            Example(block["intent"], language, line.strip()[2:].strip(), self.place(path, number))
                        )
        return found

    @cached_property
    def examples(self) -> List[Example]:
        """Training examples of data/nlu."""
        return self._examples(self.files("data/nlu"))

    @cached_property
    def heldout(self) -> List[Example]:
        """Held-out examples of eval/nlu (never trained on)."""
        return self._examples(self.files("eval/nlu", "heldout_*.yml"))

    @staticmethod
    def by_intent(examples: List[Example]) -> Dict[str, Dict[str, List[Example]]]:
        grouped: Dict[str, Dict[str, List[Example]]] = defaultdict(lambda: defaultdict(list))
        for example in examples:
            grouped[example.intent][example.language].append(example)
        return grouped

    # -------------------------------------------------- rules and stories
    def _conversations(self, files: List[Path], key: str) -> List[Conversation]:
        found = []
        for path in files:
            items = (load(path) or {}).get(key) or []
            for item, line in zip(items, getattr(items, "item_lines", [])):
                intents, actions = [], []
                for step in _steps(item.get("steps") or []):
                    if "intent" in step:
                        intents.append(step["intent"])
                    if "action" in step:
                        actions.append(step["action"])
                in_form = any("active_loop" in c for c in item.get("condition") or [])
                name = item.get("rule") or item.get("story") or "?"
                found.append(Conversation(key[:-1], str(name), self.place(path, line), intents, actions, in_form))
        return found

    @cached_property
    def rules(self) -> List[Conversation]:
        """Rules and stories the assistant is trained on (data/)."""
        files = self.files("data/rules") + self.files("data/stories")
        return self._conversations(files, "rules") + self._conversations(files, "stories")

    @cached_property
    def test_stories(self) -> List[Conversation]:
        """Test stories of eval/stories."""
        return self._conversations(self.files("eval/stories"), "stories")

    @cached_property
    def action_code(self) -> str:
        """The custom actions' source, to see which responses they send."""
        return "\n".join(p.read_text(encoding="utf-8") for p in self.files("actions", "*.py"))


def _steps(steps: list) -> Iterator[dict]:
    """Steps, with the alternatives of `or:` steps flattened."""
    for step in steps:
        if isinstance(step, dict) and "or" in step:
            yield from _steps(step["or"])
        elif isinstance(step, dict):
            yield step
