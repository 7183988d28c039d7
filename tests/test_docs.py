"""The documentation in docs/ names everything the code defines, and nothing it does not.

Each test is parametrized over what the code defines (sheet kinds and their fields, measures, questionnaires,
vocabularies, command-line commands), so adding one without documenting it fails a test that names it. The pages
are built for this: in docs/data-contract.md each sheet kind is a level-3 heading `` ### `kind` `` with a table of
its fields; in docs/measures.md every score is a row of the Scores table and every questionnaire a level-3 heading;
in docs/cli.md each command is a level-2 heading `` ## `command` ``.
"""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest

from pipelines import limits, vocab
from pipelines.__main__ import _parser
from pipelines.measures import MEASURE_ORDER, MEASURES, QUESTIONNAIRES, SWEMWBS_METRIC
from pipelines.sheets import KINDS
from pipelines.vocab import norm_key

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
HEADING = re.compile(r"^(#{1,6}) (.+)$", re.MULTILINE)
FIELD_ROW = re.compile(r"^\| `(\w+)` \| (required|optional)[^|]*\| ([^|]*) \|", re.MULTILINE)
FIELD_DESCRIPTION = re.compile(r"^\| `(\w+)` \|[^|]*\|[^|]*\| (.*) \|$", re.MULTILINE)
MEASURE_ROW = re.compile(r"^\| `([^`]+)` \|((?: [^|]+ \|)+)$", re.MULTILINE)
SWEMWBS_ROW = re.compile(r"^\| (\d+) \| (\d+\.\d\d) \|$", re.MULTILINE)
MODULES = sorted(p.stem for p in (ROOT / "pipelines").glob("*.py") if p.stem != "__init__")
CODE_REFERENCE = re.compile(rf"`({'|'.join(MODULES)})\.(\w+)`")


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def sections(text: str, level: int) -> dict[str, str]:
    """Heading -> the text under it, up to the next heading of the same or a higher level."""
    found: dict[str, str] = {}
    headings = [m for m in HEADING.finditer(text) if len(m.group(1)) <= level]
    for here, after in zip(headings, [*headings[1:], None], strict=True):
        if len(here.group(1)) == level:
            found[here.group(2).strip()] = text[here.end() : after.start() if after else len(text)]
    return found


def named_sections(text: str, level: int) -> dict[str, str]:
    """The sections whose heading is just a name in backticks, by that name."""
    return {m.group(1): body for title, body in sections(text, level).items() if (m := re.fullmatch(r"`(\w+)`", title))}


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    for m in HEADING.finditer(text):
        base = slug(m.group(2))
        candidate, n = base, 0
        while candidate in found:
            n += 1
            candidate = f"{base}-{n}"
        found.add(candidate)
    return found


# Sheet kinds --------------------------------------------------------------------------------------

KIND_SECTIONS = named_sections(page("data-contract.md"), 3)
FIELDS = [(kind.name, field) for kind in KINDS.values() for field in kind.fields]


def documented_fields(kind: str) -> dict[str, tuple[str, set[str]]]:
    """Field name -> ('required' or 'optional', normalised aliases) from the kind's table."""
    rows = FIELD_ROW.findall(KIND_SECTIONS.get(kind, ""))
    return {
        name: (required, {norm_key(a) for a in aliases.split(", ") if a.strip()}) for name, required, aliases in rows
    }


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_sheet_kind_has_a_section(kind):
    assert kind in KIND_SECTIONS, f"docs/data-contract.md has no '### `{kind}`' section"


@pytest.mark.parametrize(("kind", "field"), FIELDS, ids=[f"{k}.{f.name}" for k, f in FIELDS])
def test_every_field_is_documented_with_its_aliases(kind, field):
    documented = documented_fields(kind)
    assert field.name in documented, f"the `{kind}` table in docs/data-contract.md has no row for `{field.name}`"
    required, aliases = documented[field.name]
    assert required == ("required" if field.required else "optional")
    assert aliases == {norm_key(a) for a in field.aliases}


LIMITED = [(k, f) for k, f in FIELDS if f.within != limits.ANY_NUMBER or f.most_chars != limits.NAME_CHARS]


@pytest.mark.parametrize(("kind", "field"), LIMITED, ids=[f"{k}.{f.name}" for k, f in LIMITED])
def test_a_field_s_own_range_or_length_is_documented(kind, field):
    described = dict(FIELD_DESCRIPTION.findall(KIND_SECTIONS.get(kind, ""))).get(field.name, "")
    low, high = field.within
    assert field.within == limits.ANY_NUMBER or f"from {low:,.0f} to {high:,.0f}" in described
    assert field.most_chars == limits.NAME_CHARS or f"up to {field.most_chars:,} characters" in described


@pytest.mark.parametrize("kind", list(KIND_SECTIONS))
def test_documented_sheet_kinds_and_fields_exist(kind):
    assert kind in KINDS, f"docs/data-contract.md documents a sheet kind `{kind}` the code does not have"
    assert set(documented_fields(kind)) == {f.name for f in KINDS[kind].fields}


CHOICES = list({id(f.choices): f.choices for _, f in FIELDS if f.choices}.values())  # each vocabulary once


@pytest.mark.parametrize("vocabulary", CHOICES, ids=[v.name for v in CHOICES])
def test_every_vocabulary_value_is_documented(vocabulary):
    text = sections(page("data-contract.md"), 2)["Vocabularies"]
    assert [v for v in vocabulary.values if v not in text] == []


@pytest.mark.parametrize("group", list(vocab.ETHNIC_GROUPS))
def test_every_census_ethnic_group_is_documented(group):
    table = sections(page("data-contract.md"), 3)["Ethnic groups"]
    row = next((line for line in table.splitlines() if line.startswith(f"| {group} ")), "")
    assert [detail for detail in vocab.ETHNIC_GROUPS[group] if detail not in row] == []


@pytest.mark.parametrize(("code", "label"), list(vocab.NHS_ETHNIC_CODES.items()))
def test_every_nhs_ethnic_code_is_documented(code, label):
    assert f"| {code} | {label} |" in sections(page("data-contract.md"), 3)["Ethnic groups"]


# Measures -----------------------------------------------------------------------------------------

SCORE_ROWS = {
    name: [c.strip() for c in cells.strip(" |").split(" | ")]
    for name, cells in MEASURE_ROW.findall(page("measures.md"))
}
QUESTIONNAIRE_SECTIONS = sections(page("measures.md"), 3)


def expected_row(name: str) -> list[str]:
    """The Scores table's row for a measure: range, better when, reliable change, clinical cut-off, bands."""
    m = MEASURES[name]
    return [
        f"{m.low:g}–{m.high:g}",
        "higher" if m.higher_better else "lower",
        "none" if m.reliable_change is None else f"{m.reliable_change:g} points",
        "–" if m.cutoff is None else f"{m.cutoff:g} or more",
        ", ".join(f"**{b.low:g}–{b.high:g} {b.name}**" if b.of_concern else f"{b.low:g}–{b.high:g} {b.name}"
                  for b in m.bands) or "–",
    ]  # fmt: skip


@pytest.mark.parametrize("measure", MEASURE_ORDER)
def test_every_measure_is_documented_with_its_thresholds_and_bands(measure):
    assert measure in SCORE_ROWS, f"the Scores table of docs/measures.md has no row for `{measure}`"
    assert SCORE_ROWS[measure] == expected_row(measure)


def test_the_scores_table_follows_the_code_order_and_names_only_real_measures():
    assert tuple(SCORE_ROWS) == MEASURE_ORDER


@pytest.mark.parametrize("questionnaire", list(QUESTIONNAIRES))
def test_every_questionnaire_has_a_section(questionnaire):
    assert questionnaire in QUESTIONNAIRE_SECTIONS, f"docs/measures.md has no '### {questionnaire}' section"


@pytest.mark.parametrize("questionnaire", list(QUESTIONNAIRES))
def test_the_questionnaire_section_names_it_and_its_answers(questionnaire):
    q, section = QUESTIONNAIRES[questionnaire], QUESTIONNAIRE_SECTIONS.get(questionnaire, "").lower()
    assert q.title.lower() in section
    assert f"{q.low} to {q.high}" in section, f"### {questionnaire} does not give the answers' range"
    assert [word for word in q.words if word not in " ".join(section.split())] == []


@pytest.mark.parametrize("measure", [m for m in MEASURE_ORDER if MEASURES[m].reliable_change is not None])
def test_the_questionnaire_section_gives_the_threshold(measure):
    m = MEASURES[measure]
    said = rf"reliable change: {m.reliable_change:g} (metric )?points"
    section = QUESTIONNAIRE_SECTIONS[m.questionnaire]
    assert re.search(said, section, re.IGNORECASE), f"### {m.questionnaire} lacks '{said}'"


@pytest.mark.parametrize("measure", MEASURE_ORDER)
def test_the_questionnaire_section_gives_the_sources_cut_off_and_norms(measure):
    m = MEASURES[measure]
    section = " ".join(QUESTIONNAIRE_SECTIONS[m.questionnaire].split())
    sources = [m.reliable_change_source, m.cutoff_source, m.bands_source]
    assert [source for source in sources if source not in section] == []
    assert m.cutoff is None or f"{m.cutoff:g} or more" in section
    assert [group for group, mean, _ in m.norms if f"{group.lower()} {mean:g}" not in section.lower()] == []


def test_documented_questionnaires_exist():
    assert set(QUESTIONNAIRE_SECTIONS) == set(QUESTIONNAIRES)


def test_the_swemwbs_conversion_table_is_the_code_s():
    rows = SWEMWBS_ROW.findall(QUESTIONNAIRE_SECTIONS["SWEMWBS"])
    assert [(int(raw), float(metric)) for raw, metric in rows] == list(enumerate(SWEMWBS_METRIC, start=7))


# Command line -------------------------------------------------------------------------------------


def cli_commands() -> dict[str, argparse.ArgumentParser]:
    subparsers = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subparsers.choices)


COMMANDS = cli_commands()
COMMAND_SECTIONS = named_sections(page("cli.md"), 2)
OPTIONS = [
    (name, option)
    for name, sub in COMMANDS.items()
    for action in sub._actions
    for option in action.option_strings
    if option.startswith("--") and option != "--help"
]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_is_documented(command):
    assert command in COMMAND_SECTIONS, f"docs/cli.md has no '## `{command}`' section"


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_every_option_is_documented(command, option):
    assert option in COMMAND_SECTIONS.get(command, ""), f"docs/cli.md does not give `{command} {option}`"


@pytest.mark.parametrize("command", list(COMMAND_SECTIONS))
def test_documented_commands_exist(command):
    assert command in COMMANDS, f"docs/cli.md documents a command `{command}` that python -m pipelines lacks"


# Links and references -----------------------------------------------------------------------------

MARKDOWN = [ROOT / "README.md", *(DOCS / name for name in PAGES)]
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCS_REFERENCE = re.compile(r"docs/([\w-]+\.md)(?:#([\w-]+))?")
SOURCES = sorted(
    p for folder in ("pipelines", "ui", "pages", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
) + [ROOT / "dashboard.py"]


def links() -> list[tuple[str, Path, str | None]]:
    """(where, target file, anchor) for every relative link in the Markdown and every docs/ reference in the code."""
    found = []
    for source in MARKDOWN:
        for target in LINK.findall(source.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://", "mailto:")):
                path, _, anchor = target.partition("#")
                found.append((source.relative_to(ROOT).as_posix(), source.parent / path if path else source, anchor))
    for source in SOURCES:
        for name, anchor in DOCS_REFERENCE.findall(source.read_text(encoding="utf-8")):
            found.append((source.relative_to(ROOT).as_posix(), DOCS / name, anchor))
    return found


LINKS = links()


@pytest.mark.parametrize(("where", "target", "anchor"), LINKS, ids=[f"{w}->{t.name}#{a}" for w, t, a in LINKS])
def test_links_and_references_resolve(where, target, anchor):
    assert target.exists(), f"{where} links to {target}, which does not exist"
    if anchor and target.suffix == ".md":
        assert anchor in anchors(target.read_text(encoding="utf-8")), f"{where}: {target.name} has no #{anchor}"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_in_the_index_and_the_readme_links_the_docs(name):
    assert name == "README.md" or f"]({name})" in page("README.md")
    assert "](docs/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


CODE_REFERENCES = sorted({m for name in PAGES for m in CODE_REFERENCE.findall(page(name))})


@pytest.mark.parametrize(("module", "name"), CODE_REFERENCES, ids=[f"{m}.{n}" for m, n in CODE_REFERENCES])
def test_functions_the_docs_name_exist(module, name):
    assert hasattr(importlib.import_module(f"pipelines.{module}"), name)
