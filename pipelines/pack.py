"""The funder's report pack and the one-page summary: the same figures as the pages, in export mode, as a document
(PDF and Word) and a ZIP of its charts (PNG, SVG) with their data (XLSX).

Every figure comes from a page-facing pipeline function called with ``Disclosure.export()``: counts under 8 are
'<8', other counts rounded to 5 and shares worked out from the rounded counts, whatever the screen shows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines import (
    audit,
    funding,
    goals,
    inventory,
    outcomes,
    published,
    reach,
    report,
    settings,
    social_value,
    volunteering,
    words,
)
from pipelines.audit import Actor
from pipelines.disclosure import as_shown
from pipelines.document import Bullets, Document, Figure, Heading, Paragraph, Table, to_docx, to_pdf
from pipelines.exhibits import EXPORT, Exhibit, on
from pipelines.exhibits import outcomes as outcome_charts
from pipelines.exhibits import reach as reach_charts
from pipelines.export import Download, file_stem
from pipelines.files import private_folder, write_private
from pipelines.measures import MEASURES
from pipelines.periods import Period
from pipelines.query import Con, Filters, remembering
from pipelines.report import SECTIONS, Scope
from pipelines.settings import Brand

PROFILE_DIMENSIONS = ("age_band", "gender", "ethnicity_group", "imd_quintile")
TOO_FEW = f"Fewer than {EXPORT.min_count} people"
ONE_PAGE_FIGURES = 0.58  # two charts and three short sections fit one A4 page
ONE_PAGE_CHART_HEIGHT = 200  # pixels
Block = Heading | Paragraph | Bullets | Figure | Table


@dataclass
class Pack:
    """A document and the charts it holds, ready to write."""

    document: Document
    exhibits: list[Download] = field(default_factory=list)

    def files(self, stem: str) -> dict[str, bytes]:
        """The PDF, the Word file and the ZIP of charts and data, by file name."""
        return {f"{stem}.pdf": to_pdf(self.document), f"{stem}.docx": to_docx(self.document), f"{stem}.zip": self.zip()}

    def zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for exhibit in self.exhibits:
                for ext in ("png", "svg", "xlsx"):
                    archive.writestr(exhibit.file_name(ext), exhibit.render(ext))
        return out.getvalue()


class _Builder:
    """Collects blocks and exhibits while a section is written."""

    def __init__(self, con: Con, scope: Scope, brand: Brand) -> None:
        self.con, self.scope, self.brand = con, scope, brand
        self.f: Filters = scope.filters
        self.blocks: list[Block] = []
        self.exhibits: list[Download] = []
        self.figure_width = 1.0
        self.chart_height: int | None = None
        self.safe = EXPORT.hiding(published.kept_site(con, scope.filters, EXPORT))  # as every page of these filters

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def chart(self, exhibit: Exhibit) -> None:
        """The exhibit's chart, in export mode, with its words; its files go in the ZIP."""
        data = as_shown(exhibit.figures(on(self.con), self.safe))
        download = exhibit.as_download(data, self.safe, self.brand, self.chart_height)
        self.exhibits.append(download)
        caption = f"{exhibit.what}, {self.f.period.description}."
        self.add(Figure(download.render("png"), caption, exhibit.describe(data), self.figure_width))

    def table(self, exhibit: Exhibit, title: str, notes: list[str] | None = None) -> None:
        """The exhibit's figures, in export mode, as a table."""
        self.add(Table(exhibit.table(exhibit.figures(on(self.con), self.safe)), title, notes or [EXPORT.note]))


def write(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write files, owner-only, into ``out_dir`` (made if need be) and return their paths."""
    private_folder(out_dir)
    return [write_private(out_dir / name, data) for name, data in files.items()]


def summary_request(f: Filters) -> dict[str, str]:
    """What a one-page summary covers, in words, as the audit records it."""
    return {"document": "one-page summary", "covers": f.description}


def pack_request(
    funder: str | None, period: Period | None, activities: tuple[str, ...], sections: tuple[str, ...]
) -> dict[str, str]:
    """What a report pack covers, in words, as the audit records it."""
    return {
        "document": "report pack",
        "for": funder or "the whole service",
        "covers": period.description if period else "the funder's grant dates",
        "activities": ", ".join(activities) or ("the funder's" if funder else "all activities"),
        "sections": ", ".join(sections),
    }


def check_export(con: Con, by: Actor, what: dict) -> None:
    """Before a report pack or summary is handed over: the role may export (NotAllowed), and the export is audited."""
    audit.require(con, by, "export", what)
    audit.record(con, by.name, "report pack", what)


def report_files(
    con: Con,
    brand: Brand,
    funder: str | None = None,
    period: Period | None = None,
    activities: tuple[str, ...] = (),
    sections: tuple[str, ...] = SECTIONS,
) -> dict[str, bytes]:
    """A funder's (or the whole service's) report pack as files: PDF, Word and a ZIP of charts and data."""
    chosen = report.scope(con, funder=funder, period=period, activities=activities)
    built = report_pack(con, chosen, sections, brand)
    return built.files(stem(built, chosen))


def summary_files(con: Con, f: Filters, brand: Brand) -> dict[str, bytes]:
    """The one-page summary as PDF and Word."""
    built = one_page(con, f, brand)
    name = stem(built, Scope(f)).replace("impact-report", "impact-summary")
    return {k: v for k, v in built.files(name).items() if not k.endswith(".zip")}


def stem(pack: Pack, scope: Scope) -> str:
    """The files' shared name, e.g. brightside-mind_dudley-council-report_2024-25."""
    what = f"{scope.funder} report" if scope.funder else "impact report"
    return file_stem(pack.document.brand.charity_name or "impact", what, scope.filters.period.short_label)


def report_pack(con: Con, scope: Scope, sections: tuple[str, ...], brand: Brand) -> Pack:
    """The report pack for a scope: the chosen sections, in order, after a short summary (their figures read from
    the queries the published set asked, query.remembering)."""
    with remembering():
        build = _Builder(con, scope, brand)
        _summary(build)
        for name in (s for s in SECTIONS if s in sections):
            SECTION_WRITERS[name](build)
    title = f"Our work funded by {scope.funder}" if scope.funder else "Our impact"
    subtitle = f"{scope.filters.period.description}; {scope.who}"
    return Pack(Document(title, subtitle, build.blocks, brand), build.exhibits)


def _measure(build: _Builder) -> str | None:
    return inventory.main_measure(build.con)


def took_part(labels: dict[str, str], sessions: bool = True) -> str:
    """'115 people took part in 40 sessions (300 attendances), 20 of them new to the service.', written so that
    it reads well when a count is small ('fewer than 8') or withheld (left out)."""
    reached = words.people(labels["reached"]) or "Some people"
    where = f" in {labels['sessions_delivered']} sessions ({labels['attendances']} attendances)" if sessions else ""
    new = words.in_sentence(labels["new"])
    return f"{reached[0].upper()}{reached[1:]} took part{where}" + (
        f", {new} of them new to the service." if new else "."
    )


def _summary(build: _Builder) -> None:
    figures = reach.reach_figures(build.con, build.f, build.safe)["labels"]
    points = [took_part(figures)]
    if (measure := _measure(build)) and (sentence := _outcome_sentence(build, measure)):
        points.append(sentence)
    if (cost := funding.cost_per_person(build.con, build.f, build.safe)) is not None:
        points.append(f"It cost £{cost:,.0f} per person reached, from the spending recorded for this work.")
    build.add(Heading("In brief"), Bullets(points))


def _outcome_sentence(build: _Builder, measure: str) -> str | None:
    result = outcomes.headline(build.con, build.f, measure, build.safe)
    return outcomes.summary_sentence(measure, result, build.f.period.label) if result["shown"] else None


def _outcomes(build: _Builder) -> None:
    build.add(Heading("What changed for people"))
    measure = _measure(build)
    if measure is None:
        build.add(Paragraph("No wellbeing questionnaires have been recorded, so change cannot be reported."))
        return
    m = MEASURES[measure]
    result = outcomes.headline(build.con, build.f, measure, build.safe)
    if not result["shown"]:
        build.add(Paragraph(f"{TOO_FEW} completed the {m.full_name} twice in this period: too few to report."))
        return
    scale = f"The {m.full_name} runs from {m.low:g} to {m.high:g}; {'higher' if m.higher_better else 'lower'} scores"
    reliable = (
        f" A change of at least {m.reliable_change:g} points is beyond what the questionnaire's own variation explains "
        "(reliable change)."
        if m.reliable_change is not None
        else ""
    )
    build.add(
        Paragraph(outcomes.summary_sentence(measure, result, build.f.period.label)),
        Paragraph(f"{scale} are better.{reliable}"),
    )
    if m.reliable_change is not None:
        build.chart(outcome_charts.improved_or_not(build.f, measure))
    if len(build.f.activities) != 1:
        build.table(
            outcome_charts.change_by(build.f, measure, "activity", result["mean_change"]),
            f"Change in {measure} by activity",
            ["A person counts in each activity they took part in.", EXPORT.note],
        )


def _reach(build: _Builder) -> None:
    build.add(Heading("Who took part"))
    build.chart(reach_charts.reached_by_quarter(build.f))
    for dimension in PROFILE_DIMENSIONS:
        exhibit = reach_charts.people_by_group(build.f, dimension)
        build.table(exhibit, exhibit.what.replace("People by", "People reached by"))


def _funding(build: _Builder) -> None:
    build.add(Heading("Funding and value for money"))
    grants = build.scope.grants
    if grants is not None and not grants.empty:
        build.add(
            Table(
                pd.DataFrame(
                    {
                        "Grant": grants["title"],
                        "Amount": [f"£{a:,.0f}" for a in grants["amount"]],
                        "From": grants["start_date"],
                        "To": grants["end_date"],
                        "For": grants["activity"].fillna("The whole service"),
                    }
                ),
                f"Grants from {build.scope.funder}",
            )
        )
    _volunteer_time(build)
    costs = funding.costs(build.con, build.f, build.safe)
    row = costs.iloc[0]
    spent = row["expenditure"]
    if spent is None or pd.isna(spent):
        build.add(Paragraph("No spending is recorded for this work in the period, so costs per person are not shown."))
        return
    lines = [f"Spending recorded: £{spent:,.0f}.", f"People reached: {words.in_sentence(row['reached label'])}."]
    if pd.notna(row["cost_per_participant"]):
        lines.append(f"Cost per person reached: £{row['cost_per_participant']:,.0f}.")
    for column in costs.columns:
        if column.startswith("cost per improvement ") and pd.notna(row[column]):
            lines.append(
                f"Cost per person who improved reliably on {column.removeprefix('cost per improvement ')}: "
                f"£{row[column]:,.0f}."
            )
    build.add(Bullets(lines), Paragraph(funding.VALUE_CAVEAT))
    _social_value(build, spent)


def _social_value(build: _Builder, spent: float) -> None:
    """What the rise in life satisfaction is worth in WELLBYs, per £ spent, with its method and source."""
    assumptions = settings.social_value_assumptions(build.con)
    _, said = social_value.headline(build.con, build.f, assumptions, spent, build.safe)
    build.add(
        Heading("Social value", level=2),
        Paragraph(said),
        Paragraph(f"{social_value.METHOD} Here: {assumptions.in_words}, in {assumptions.prices}."),
    )


def _volunteer_time(build: _Builder) -> None:
    """Volunteer time beside the money, as in-kind support, when any is recorded."""
    found = volunteering.totals(build.con, build.f)
    if found["months"]:
        build.add(
            Paragraph(
                f"Volunteer time: {volunteering.in_kind(found, build.f)} {volunteering.MATCH_FUNDING} "
                + volunteering.filter_note(build.f)
            )
        )


def _methods(build: _Builder) -> None:
    build.add(Heading("How we measured this"))
    measure = _measure(build)
    if measure:
        m = MEASURES[measure]
        result = outcomes.headline(build.con, build.f, measure, build.safe)
        left = outcomes.completeness_figures(build.con, build.f, measure, build.safe)
        rate = result["followup_rate"]
        build.add(
            Paragraph(
                f"Wellbeing is measured with the {m.full_name}. {m.citation} Each person's first questionnaire is "
                "compared with their latest one in the period; people with only one questionnaire are not included "
                "in the change figures."
            ),
            Paragraph(
                "The average change is given with a 95% confidence interval: the range within which the true average "
                "change for people like these probably lies. "
                + (
                    f"A person counts as improved or deteriorated when their score moved by at least "
                    f"{m.reliable_change:g} points (reliable change)."
                    if m.reliable_change is not None
                    else ""
                )
            ),
            Bullets(
                [
                    f"Follow-up: {words.share(rate)} of the people who completed a first questionnaire "
                    "completed another in the period."
                    if rate is not None
                    else "Follow-up: the share who completed another questionnaire in the period is withheld, as "
                    "it could identify someone.",
                    _left_out(left),
                ]
            ),
        )
    build.add(
        Paragraph(
            "People are counted as reached when they attended at least one session in the period. "
            f"To protect privacy, {EXPORT.note[0].lower()}{EXPORT.note[1:]}"
        )
    )


def _left_out(left: dict) -> str:
    """Who the change figures leave out, each count said as a sentence may say it (a withheld one left out)."""
    parts = [
        f"{said} with only a first score" if (said := words.people(str(left["only_first_score"]))) else None,
        f"{said} of {left['questionnaires']} questionnaires with a missing answer"
        if (said := words.in_sentence(str(left["missing_answer"])))
        else None,
    ]
    found = [p for p in parts if p]
    return f"Left out: {words.joined(found)}." if found else "Left out: some people and questionnaires."


def _goals(build: _Builder) -> None:
    """Progress towards people's own goals (Goal-Based Outcomes), when goals are recorded: in words, and by goal
    area as a small table, suppressed."""
    if not goals.has_goals(build.con):
        return
    build.add(Heading("Progress towards people's own goals", level=2))  # part of what changed for people
    result = goals.headline(build.con, build.f, build.safe)
    if not result["shown"]:
        build.add(Paragraph(f"{TOO_FEW} had a goal rated twice in this period: too few to report."))
        return
    build.add(Paragraph(goals.in_words(result, build.f.period.label)))
    build.table(
        outcome_charts.goal_change_by(build.f, "goal_area", result["mean_change"]),
        "Progress by goal area",
        [
            "Goals are rated from 0 (no progress) to 10 (reached); reliable progress is a rise of 3 points or more. "
            "Where a group has too few people to show, its people are given instead of its goals.",
            EXPORT.note,
        ],
    )


def _outcomes_and_goals(build: _Builder) -> None:
    _outcomes(build)
    _goals(build)


SECTION_WRITERS: dict[str, Callable[[_Builder], None]] = {
    "outcomes": _outcomes_and_goals,
    "reach": _reach,
    "funding": _funding,
    "methods": _methods,
}


def one_page(con: Con, f: Filters, brand: Brand, area: str | None = None) -> Pack:
    """The one-page summary of a period and some activities: the verdict on outcomes, reach against the
    population (the charity's own comparison, as Reach opens on it, unless ``area`` is given) and funding secured
    against needed, in words, then two charts."""
    area = area or reach.default_area(con)
    build = _Builder(con, Scope(f), brand)
    build.figure_width = ONE_PAGE_FIGURES
    measure = _measure(build)
    sentence = _outcome_sentence(build, measure) if measure else None
    figures = reach.reach_figures(con, f, build.safe)["labels"]
    compared = reach.representation(con, f, "ethnicity_group", area, build.safe)
    build.add(
        Heading("Does it work?"),
        Paragraph(sentence or "Too few people completed a questionnaire twice in this period to say."),
        Heading("Who do we reach?"),
        Paragraph(
            f"{took_part(figures, sessions=False)} Against {area} by ethnic group: "
            + reach.represented_in_words(compared, "ethnicity_group")
        ),
        Heading("Will it still be funded?"),
        Paragraph(funding.secured_next_year(con, f).sentence),
    )
    if sentence:
        build.chart(outcome_charts.improved_or_not(f, measure))
    build.chart_height = ONE_PAGE_CHART_HEIGHT
    build.chart(reach_charts.reached_by_quarter(f))
    return Pack(
        Document("Impact summary", f"{f.period.description}; {Scope(f).who}", build.blocks, brand), build.exhibits
    )
