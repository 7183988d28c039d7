"""What is wrong with an upload, said so that a service manager can find and fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pipelines.words import counted


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str = ""
    row: int | None = None  # the row number Excel shows
    column: str = ""  # column letter and header, e.g. 'C "Session date"'
    value: str = ""
    expected: str = ""
    column_index: int | None = None  # 1-based, for marking the cell

    def __str__(self) -> str:
        where = " › ".join(p for p in (self.file, self.sheet and f"sheet {self.sheet!r}") if p)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = f": {self.value!r}" if self.value else ""
        return f"{where}{value} — {self.expected}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class UploadRefused(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{counted(len(problems), 'problem')} found; nothing was loaded")
        self.problems = problems
