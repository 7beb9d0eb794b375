"""The clinical review sheet: every answer the assistant can give, with the
sources it is written from and a clinician's sign-off (docs/clinical-review.md).

    .venv/bin/python -m authoring.review_sheet             # write docs/clinical-review.md
    .venv/bin/python -m authoring.review_sheet --check     # exit 1 if the file is out of date
    .venv/bin/python -m authoring.review_sheet --hash utter_hair_loss en      # the hash to sign off
    .venv/bin/python -m authoring.review_sheet --hash utter_aftercare nl NL

Built from the domain (authoring.project), content/sources.yml and
content/clinical_signoff.yml, with no timestamp, so the same content always
gives the same sheet. The content check (authoring/check.py) calls
`problems()`: the rules about sources and the sheet live here only."""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, cast

from authoring import readability
from authoring.project import LANGUAGES, ROOT, Place, Project, Response, Variant
from authoring.yaml_lines import LineDict, LineList, load

SHEET = "docs/clinical-review.md"
SOURCES = "content/sources.yml"
SIGNOFF = "content/clinical_signoff.yml"
QUOTE_MAX = 80  # characters of a source quote
QUOTE_SLACK = 2  # a quote may stand this many lines from its stated line
HASH_LENGTH = 12  # hex characters of the sha256 of a variant's text
DEFAULT = "default"  # the language label of the variant without condition
FORMULA = {"nl": "Flesch-Douma", "en": "Flesch"}


@dataclass(frozen=True)
class Source:
    """One entry of content/sources.yml: a quote at a line of a source file."""

    file: str
    line: int
    quote: str
    place: Place


@dataclass(frozen=True)
class SignOff:
    """One entry of content/clinical_signoff.yml."""

    response: str
    language: str
    country: str
    text_sha256: str
    reviewer: str
    date: str
    place: Place


# ------------------------------------------------------------------ reading
def text_hash(text: str) -> str:
    """The first 12 hex characters of the sha256 of a variant's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def language_of(variant: Variant) -> str:
    """'nl', 'en' or 'default' (the variant without a language condition)."""
    return variant.language or DEFAULT


def sources_folder(project: Project) -> Path:
    """../shared/sources beside the project (absent in a bare clone)."""
    return project.root.parent / "shared" / "sources"


def source_file(folder: Path, file_id: str) -> Optional[Path]:
    """The file a source id names: `003` is 003_<hash>.txt, `facts` is facts.md."""
    for pattern in (f"{file_id}_*.txt", f"{file_id}.md", f"{file_id}.txt"):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def _load_or_empty(project: Project, rel: str, empty):
    path = project.root / rel
    data = load(path) if path.exists() else None
    return empty if data is None else data


def read_sources(project: Project) -> Tuple[LineDict, Dict[str, List[Source]]]:
    """content/sources.yml as loaded (for its lines) and as Sources per
    response; entries that are not {file, line, quote} are left out (the
    check reports them)."""
    raw = _load_or_empty(project, SOURCES, LineDict())
    found: Dict[str, List[Source]] = {}
    if not isinstance(raw, dict):
        return LineDict(), found
    for name, entries in raw.items():
        found[name] = []
        for entry, line in zip(entries if isinstance(entries, list) else [], getattr(entries, "item_lines", [])):
            if _source_shape(entry) is None:
                found[name].append(
                    Source(str(entry["file"]), int(entry["line"]), str(entry["quote"]), Place(SOURCES, line))
                )
    return cast(LineDict, raw), found


def _source_shape(entry) -> Optional[str]:
    """Why an entry of content/sources.yml is malformed, or None."""
    if not isinstance(entry, dict) or set(entry) != {"file", "line", "quote"}:
        return "must be {file: ..., line: ..., quote: ...}"
    if not isinstance(entry["line"], int) or entry["line"] < 1:
        return f"line must be a line number, not {entry['line']!r}"
    quote = str(entry["quote"] or "")
    if not quote.strip():
        return "quote is empty"
    if len(quote) > QUOTE_MAX:
        return f"quote is {len(quote)} characters, at most {QUOTE_MAX}"
    return None


def read_signoffs(project: Project) -> Tuple[List[SignOff], List[Tuple[Place, str]]]:
    """The sign-offs of content/clinical_signoff.yml, and what is wrong with
    the entries that could not be read."""
    raw = _load_or_empty(project, SIGNOFF, LineList())
    signoffs, wrong = [], []
    if not isinstance(raw, list):
        return [], [(Place(SIGNOFF, 1), f"{SIGNOFF} must be a list of sign-offs")]
    needed = ("response", "language", "text_sha256", "reviewer", "date")
    for entry, line in zip(raw, getattr(raw, "item_lines", [])):
        missing = [k for k in needed if not isinstance(entry, dict) or entry.get(k) in (None, "")]
        if missing:
            wrong.append((Place(SIGNOFF, line), f"sign-off lacks {', '.join(missing)}"))
            continue
        signoffs.append(
            SignOff(
                str(entry["response"]),
                str(entry["language"]),
                str(entry.get("country") or ""),
                str(entry["text_sha256"]),
                str(entry["reviewer"]),
                str(entry["date"]),
                Place(SIGNOFF, line),
            )
        )
    return signoffs, wrong


# ------------------------------------------------------------------ status
def own_status(response: str, variant: Variant, signoffs: List[SignOff]) -> Tuple[str, str]:
    """(kind, words) of one variant's sign-off: kind is 'signed', 'changed'
    or 'open'. Only a sign-off of this very text counts."""
    key = (response, language_of(variant), variant.country or "")
    mine = [s for s in signoffs if (s.response, s.language, s.country) == key]
    current = [s for s in mine if s.text_sha256 == text_hash(variant.text)]
    if current:
        last = current[-1]
        return "signed", f"signed off by {last.reviewer}, {last.date}"
    if mine:
        return "changed", "changed since sign-off — review again"
    return "open", "not reviewed"


def twin(response: Response, variant: Variant) -> Optional[Variant]:
    """The language variant whose text a default variant repeats (a YAML
    alias), if any."""
    if variant.language is not None:
        return None
    return next((v for v in response.variants if v.language and v.text == variant.text), None)


def status(response: Response, variant: Variant, signoffs: List[SignOff]) -> Tuple[str, str]:
    """The sign-off of a variant. The default variant usually repeats a
    language variant's text (a YAML alias): then it follows that row."""
    kind, words = own_status(response.name, variant, signoffs)
    if kind != "signed":
        twin_ = twin(response, variant)
        if twin_ is not None:
            kind, words = own_status(response.name, twin_, signoffs)
            return kind, f"{words} (same text as {label(twin_)})"
    return kind, words


def label(variant: Variant) -> str:
    return " ".join(filter(None, [language_of(variant), variant.country]))


def score_cell(response: Response, variant: Variant) -> str:
    """The readability score; the default variant is scored as the
    language variant it repeats, or not at all."""
    language = variant.language
    if language is None:
        repeated = twin(response, variant)
        language = repeated.language if repeated else None
    if language not in LANGUAGES:
        return "—"
    return f"{readability.score(variant.text, language).score:.1f} {FORMULA[language]}"


# ------------------------------------------------------------------- sheet
def _html(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """A text as one markdown table cell: newlines as <br>, | escaped."""
    return "<br>".join(_html(text).replace("|", "\\|").strip().splitlines())


def build(project: Project) -> str:
    """The whole sheet, as markdown."""
    _, sources = read_sources(project)
    signoffs, _ = read_signoffs(project)
    responses = list(project.responses.values())
    counts = {"signed": 0, "changed": 0, "open": 0}
    body: List[str] = []
    current_file = None
    for response in responses:
        if response.place.path != current_file:
            current_file = response.place.path
            body += [f"## {current_file}", ""]
        body += [f"### {response.name}", "", f"Defined at `{response.place}`.", ""]
        listed = sources.get(response.name)
        if listed is None:
            body += [f"Sources: **none listed** — add `{response.name}` to `{SOURCES}`.", ""]
        elif not listed:
            body += ["Sources: none — conversation only, no facts.", ""]
        else:
            body += ["Sources:", ""]
            body += [f"- `{s.file}` line {s.line}: “{_html(s.quote)}”" for s in listed]
            body.append("")
        body += [
            "| language | country | line | text | readability | sign-off | hash |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for variant in response.variants:
            kind, words = status(response, variant, signoffs)
            counts[kind] += 1
            body.append(
                f"| {language_of(variant)} | {variant.country or '—'} | {variant.place.line} | "
                f"{cell(variant.text)} | {score_cell(response, variant)} | {words} | "
                f"`{text_hash(variant.text)}` |"
            )
        body.append("")
    variants = sum(counts.values())
    head = [
        "# Clinical review sheet",
        "",
        "Every answer the assistant can give: every response of `domain/`, in each language "
        "(`nl`, `en`, and `default` for when the language is unknown) and each country variant "
        "(`UK`, `NL`; `—` means all countries), with the sources it is written from and a "
        "clinician's sign-off.",
        "",
        f"- **Generated** by `python -m authoring.review_sheet` from `domain/**/*.yml`, `{SOURCES}` and "
        f"`{SIGNOFF}`. Do not edit this file: regenerate it with `make review-sheet`. "
        "`make check-content` reports when it is out of date.",
        "- **Sources**: `000`, `001`, `003` are `../shared/sources/<id>_….txt`; `facts`, `facts-more` and "
        "`README` are `../shared/sources/<id>.md`. The line is where the quoted heading or phrase stands.",
        "- **Readability**: Flesch (English) or Flesch-Douma (Dutch); targets in `content/readability.yml`.",
        f"- **To sign off** a row: check the text against its sources, then add an entry to `{SIGNOFF}` "
        "with the row's response, language, country (leave it out when the row shows `—`), hash, your "
        "name and the date, and run `make review-sheet`. The hash is in the last column, or: "
        "`python -m authoring.review_sheet --hash RESPONSE LANG [COUNTRY]`. A sign-off holds for that "
        'exact text only: once the text changes, the row says "changed since sign-off — review again". '
        "A `default` row that repeats a language row follows that row's sign-off.",
        "",
        f"{len(responses)} responses, {variants} variants: {counts['signed']} signed off, "
        f"{counts['changed']} changed since sign-off, {counts['open']} not reviewed.",
        "",
    ]
    return "\n".join(head + body).rstrip("\n") + "\n"


# ---------------------------------------------------------------- problems
def problems(project: Project) -> Iterable[Tuple[Place, str, str]]:
    """(place, message, subject) for each problem: a response without
    sources, an entry for no response, a malformed entry or sign-off, a
    quote not at its line (only when ../shared/sources exists), and a sheet
    that is out of date (only when the project has docs/)."""
    raw, sources = read_sources(project)
    if not isinstance(_load_or_empty(project, SOURCES, LineDict()), dict):
        yield Place(SOURCES, 1), f"{SOURCES} must map each response to a list of sources", ""
    for name, response in project.responses.items():
        if name not in raw:
            yield (
                response.place,
                f"response '{name}' has no entry in {SOURCES} (list its sources, or [] for conversation only)",
                name,
            )
    for name, entries in raw.items():
        place = Place(SOURCES, raw.key_lines[name])
        if name not in project.responses:
            yield place, f"{SOURCES} lists '{name}', which is not a response of domain/", name
        if not isinstance(entries, list):
            yield place, f"the sources of '{name}' must be a list ([] for conversation only)", name
            continue
        for entry, line in zip(entries, getattr(entries, "item_lines", [])):
            why = _source_shape(entry)
            if why:
                yield Place(SOURCES, line), f"a source of '{name}': {why}", name
    folder = sources_folder(project)
    if folder.is_dir():
        files: Dict[str, Optional[List[str]]] = {}
        for name, listed in sources.items():
            for source in listed:
                if source.file not in files:
                    path = source_file(folder, source.file)
                    files[source.file] = path.read_text(encoding="utf-8").splitlines() if path else None
                yield from _quote_problems(files[source.file], name, source)
    signoffs, wrong = read_signoffs(project)
    for place, message in wrong:
        yield place, message, ""
    for signoff in signoffs:
        if project.responses.get(signoff.response) is None:
            yield signoff.place, f"sign-off for '{signoff.response}', which is not a response of domain/", ""
        elif not any(
            (language_of(v), v.country or "") == (signoff.language, signoff.country) for v in response.variants
        ):
            have = ", ".join(label(v) for v in response.variants)
            yield (
                signoff.place,
                f"sign-off for '{signoff.response}' "
                f"{' '.join(filter(None, [signoff.language, signoff.country]))}: no such variant "
                f"(it has: {have})",
                signoff.response,
            )
    if (project.root / "docs").is_dir():
        sheet = project.root / SHEET
        if not sheet.exists() or sheet.read_text(encoding="utf-8") != build(project):
            yield Place(SHEET, 1), f"{SHEET} is out of date: run make review-sheet", ""


def _quote_problems(lines: Optional[List[str]], name: str, source: Source) -> Iterable[Tuple[Place, str, str]]:
    """A quote that is not at its line (±2) of its source file's lines."""
    if lines is None:
        yield source.place, f"a source of '{name}': no file '{source.file}' in ../shared/sources", name
        return
    wanted = " ".join(source.quote.split())
    near = range(max(source.line - QUOTE_SLACK, 1), min(source.line + QUOTE_SLACK, len(lines)) + 1)
    if any(wanted in " ".join(lines[n - 1].split()) for n in near):
        return
    elsewhere = [n for n, text in enumerate(lines, start=1) if wanted in " ".join(text.split())]
    hint = f" (it is on line {elsewhere[0]})" if elsewhere else " (not in that file at all)"
    yield (
        source.place,
        f"a source of '{name}': \"{source.quote}\" is not at line {source.line} of {source.file}{hint}",
        name,
    )


# -------------------------------------------------------------------- main
def find_variant(project: Project, name: str, language: str, country: Optional[str] = None) -> Variant:
    """The variant a --hash request names; LookupError lists the variants."""
    response = project.responses.get(name)
    if response is None:
        raise LookupError(f"no response '{name}' in domain/")
    for variant in response.variants:
        if language_of(variant) == language and (variant.country or None) == (country or None):
            return variant
    have = ", ".join(label(v) for v in response.variants)
    raise LookupError(f"'{name}' has no variant '{' '.join(filter(None, [language, country]))}' (it has: {have})")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.review_sheet", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this project)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {SHEET} differs from what would be written")
    parser.add_argument(
        "--hash", nargs="+", metavar="ARG", help="RESPONSE LANG [COUNTRY]: print the text hash to paste into " + SIGNOFF
    )
    args = parser.parse_args(argv)
    project = Project(args.root)
    if args.hash:
        if len(args.hash) not in (2, 3):
            parser.error("--hash takes RESPONSE LANG [COUNTRY], e.g. --hash utter_hair_loss en")
        try:
            variant = find_variant(project, *args.hash)
        except LookupError as error:
            print(error, file=sys.stderr)
            return 2
        print(text_hash(variant.text))
        return 0
    sheet = args.root / SHEET
    text = build(project)
    if args.check:
        if sheet.exists() and sheet.read_text(encoding="utf-8") == text:
            print(f"{SHEET} is up to date")
            return 0
        print(f"{SHEET} is out of date: run make review-sheet")
        return 1
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(text, encoding="utf-8")
    print(
        f"{SHEET} written: {len(project.responses)} responses, "
        f"{sum(len(r.variants) for r in project.responses.values())} variants"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
