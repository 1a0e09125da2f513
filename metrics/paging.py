"""Long lists one page at a time: the browser is sent one page of rows, never the whole list (a styled table of
hundreds of rows is slow to send and to draw). The order is chosen before paging, so the first page holds what the
order puts first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListPage:
    """Rows ``start`` to ``end`` (0-based, end excluded) of ``count``: page ``number`` of ``pages``."""

    number: int
    pages: int
    start: int
    end: int
    count: int
    noun: str = "items"

    @property
    def caption(self) -> str:
        if self.count == 0:
            return f"no {self.noun}"
        return f"{self.noun} {self.start + 1:,}–{self.end:,} of {self.count:,}"


def list_page(count: int, asked: int | None, per_page: int, noun: str = "items") -> ListPage:
    """The page ``asked`` for (1-based), held within the pages there are: a link to page 9 of a list that a filter
    cut to 3 pages shows page 3, not an empty table."""
    pages = max(1, -(-count // per_page))
    number = min(max(1, asked or 1), pages)
    start = (number - 1) * per_page
    return ListPage(number=number, pages=pages, start=start, end=min(count, start + per_page), count=count, noun=noun)
