"""Shared page furniture: source banner, freshness line, status badges, empty states, guarded panels, CSV
downloads. The SLO burn page's own tables are in ``pages.slo_burn.widgets``."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from metrics.formatting import format_duration
from metrics.last_good import Shown
from metrics.spreadsheet import spreadsheet_csv
from pages.common.theme import NO_DATA as NO_DATA_STYLE
from pages.common.theme import WARN, alert_state_style

log = logging.getLogger(__name__)

# Data older than this is marked stale next to its age.
STALE_AFTER = timedelta(minutes=5)


# --- source and freshness -------------------------------------------------------------------------------------------


def local_time(moment: datetime, team_timezone: str, with_date: bool = False) -> str:
    """ "14:05", or "Tue 24 Nov 14:05" with the date: a wall-clock time in the team's zone."""
    local = moment.astimezone(ZoneInfo(team_timezone))
    return local.strftime("%a %d %b %H:%M" if with_date else "%H:%M")


@dataclass(frozen=True)
class Freshness:
    """The freshness line and what it says: ``stale`` once the data is older than ``STALE_AFTER`` (never for an
    instant a link fixes); ``age`` is None for such a fixed instant."""

    text: str
    stale: bool
    age: timedelta | None


def freshness(
    at: datetime, team_timezone: str, source_description: str, now: datetime | None = None, fixed: bool = False
) -> Freshness:
    """ "as of 14:05 (Europe/Seoul) · demo data", plus "· stale: 12 min old" when the data has aged.

    A link that fixes the instant (``?at=``) is not stale: it says so instead."""
    if fixed:
        text = (
            f"evaluated at {local_time(at, team_timezone, with_date=True)} ({team_timezone}) · "
            f"{source_description} · fixed by the link's ?at="
        )
        return Freshness(text, stale=False, age=None)
    now = now or datetime.now(UTC)
    same_day = at.astimezone(ZoneInfo(team_timezone)).date() == now.astimezone(ZoneInfo(team_timezone)).date()
    text = f"as of {local_time(at, team_timezone, with_date=not same_day)} ({team_timezone}) · {source_description}"
    age = now - at
    stale = age > STALE_AFTER
    if stale:
        text += f" · stale: {format_duration(age)} old"
    return Freshness(text, stale=stale, age=age)


def freshness_text(
    at: datetime, team_timezone: str, source_description: str, now: datetime | None = None, fixed: bool = False
) -> str:
    """``freshness(...).text``, for pages that still draw the line themselves."""
    return freshness(at, team_timezone, source_description, now, fixed).text


def show_freshness(
    at: datetime, team_timezone: str, source_description: str, fixed: bool = False, now: datetime | None = None
) -> None:
    """The freshness line: a caption, or a warning once the data is stale."""
    line = freshness(at, team_timezone, source_description, now=now, fixed=fixed)
    if line.stale:
        st.warning(line.text, icon=":material/schedule:")
    else:
        st.caption(line.text)


def stale_text(read_at: datetime, team_timezone: str, now: datetime | None = None) -> str:
    """ "showing data from 14:05 (12 min old), marked stale": what a panel says about the last good data it shows
    (the date too when it is not today's, in the team's time zone)."""
    now = now or datetime.now(UTC)
    same_day = read_at.astimezone(ZoneInfo(team_timezone)).date() == now.astimezone(ZoneInfo(team_timezone)).date()
    age = format_duration(max(now - read_at, timedelta(0)))
    return f"showing data from {local_time(read_at, team_timezone, with_date=not same_day)} ({age} old), marked stale"


def source_failure_text(subject: str, shown: Shown, team_timezone: str, now: datetime | None = None) -> str | None:
    """The panel's message when its source failed now, e.g. for the subject "SLO data from Prometheus (…)":
    "▲ No fresh SLO data from Prometheus (…). <why>. Showing data from 14:05 (12 min old), marked stale …", or
    "○ No SLO data from Prometheus (…): no data yet. <why> …" without earlier data; None when the read succeeded."""
    if not shown.failed:
        return None
    failure = shown.failure.rstrip(".")
    if shown.stale:
        showing = stale_text(shown.read_at, team_timezone, now)
        return (
            f"{WARN.symbol} **No fresh {subject}.** {failure}. {showing[0].upper()}{showing[1:]}; fresh data "
            "returns once the source answers again (press Refresh to try now)."
        )
    return (
        f"{NO_DATA_STYLE.symbol} **No {subject}: no data yet.** {failure}. Nothing was read successfully since the "
        "dashboard started, so there is no earlier data to show; press Refresh to try again."
    )


def show_source_failure(subject: str, shown: Shown, team_timezone: str, now: datetime | None = None) -> None:
    """A stale warning (last good data shown) or a "no data yet" error where a panel's fresh data would be."""
    text = source_failure_text(subject, shown, team_timezone, now)
    if text is None:
        return
    if shown.stale:
        st.warning(text, icon=":material/history:")
    else:
        st.error(text, icon=":material/cloud_off:")


def show_demo_banner(is_demo: bool) -> None:
    """The visible "demo data" banner: nobody should mistake the generator's incidents for production."""
    if is_demo:
        st.info(
            "**Demo data** — no Prometheus is configured, so these numbers come from a deterministic generator "
            "with injected incidents. Set `PROMETHEUS_URL` (or `[prometheus] url` in `.streamlit/secrets.toml`) "
            "to watch real SLOs.",
            icon=":material/science:",
        )


def status_badge(state: str) -> str:
    """Markdown for an alert state: coloured symbol and word, readable without the colour."""
    style = alert_state_style(state)
    return f":{_markdown_colour(style.key)}[{style.badge}]"


def _markdown_colour(state: str) -> str:
    # Streamlit's Markdown colours closest to the palette; the symbol and word carry the meaning anyway.
    return {"page": "red", "ticket": "orange", "ok": "green"}.get(state, "gray")


def show_empty_state(message: str, what_to_do: str) -> None:
    st.info(f"{message}\n\n{what_to_do}", icon=":material/inbox:")


def csv_download_bytes(frame: pd.DataFrame) -> bytes:
    """A table for a "Download CSV" button: UTF-8, no index, formula-like cells neutralised
    (``metrics.spreadsheet``), so opening the file in a spreadsheet never runs a cell."""
    return spreadsheet_csv(frame).encode("utf-8")


def show_csv_download(data: bytes, file_name: str, label: str = "Download CSV", where=None, **options) -> None:
    """A CSV download button (in ``where``, a column or container; default: the page) with the usual icon."""
    (where or st).download_button(
        label, data, file_name=file_name, mime="text/csv", icon=":material/download:", **options
    )


def keep_filters_in_link(selected: dict[str, Sequence[str]]) -> None:
    """Each filter's selection in the query string (``?service=a&service=b``), dropped when empty, so the view
    can be shared as a link."""
    for name, values in selected.items():
        if values:
            st.query_params[name] = list(values)
        elif name in st.query_params:
            del st.query_params[name]


# --- drill-downs that open in place ---------------------------------------------------------------------------------

# The pages a table's link may name by their url_path (as app.py registers them); a link without a path ("?slo=x")
# opens on the page it is shown on.
LINKED_PAGES = {"slo-burn": "pages/slo_burn/page.py"}

DRILLDOWN_HINT = "Select a row to open its drill-down"


@dataclass(frozen=True)
class Drilldown:
    """Where a table's link goes: a page of the app (its url_path; "" for the page showing the table) and the query
    parameters the link sets."""

    path: str
    params: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_link(cls, link: str) -> Drilldown:
        """From a relative link as the tables build it: "?slo=a", "slo-burn?slo=a", "/slo-burn?slo=a&at=…"."""
        path, _, query = str(link).partition("?")
        return cls(path.strip("/"), parse_qs(query, keep_blank_values=True))

    def shown(self, name: str) -> str:
        """What the table shows for this link: the value of its query parameter ``name``."""
        return ", ".join(self.params.get(name, ()))


def drilldown_table(
    frame: pd.DataFrame,
    links: Mapping[str, str],
    *,
    key: str,
    style: Callable[[pd.DataFrame], object] | None = None,
    keep: Sequence[str] = (),
    follow: Mapping[str, str] | None = None,
    **options,
) -> None:
    """``st.dataframe`` whose links open in place, in the same tab and session (a link in a ``LinkColumn`` opens a
    new tab: a new session, a cold load, the filters gone).

    ``links`` maps each column of ``frame`` that holds a relative link to the query parameter its cells show
    (``{"SLO": "slo"}``: a cell "?slo=checkout" shows "checkout"). With one such column, selecting a row opens its
    link; with several, selecting a cell in one of them opens that cell's link. A link on this page sets its query
    parameters and keeps the others (the filters, so the way back finds them); a link to another page
    (``st.switch_page``) carries the parameters named in ``keep`` that are set here. ``follow`` maps a parameter to
    the key of the widget that shows it on this page (a filter), so the widget follows the link. ``style`` turns the
    shown frame into a Styler; ``options`` go to ``st.dataframe``."""
    targets = {column: [Drilldown.from_link(link) for link in frame[column]] for column in links}
    shown = frame.copy()
    for column, name in links.items():
        shown[column] = [target.shown(name) for target in targets[column]]
    st.dataframe(
        style(shown) if style else shown,
        key=key,
        on_select=functools.partial(_open_selected, key, targets, tuple(keep), dict(follow or {})),
        selection_mode="single-row" if len(links) == 1 else "single-cell",
        **options,
    )


def _open_selected(
    key: str, targets: Mapping[str, list[Drilldown]], keep: tuple[str, ...], follow: Mapping[str, str]
) -> None:
    selection = st.session_state[key].selection
    target = None
    if selection.rows:
        target = next(iter(targets.values()))[selection.rows[0]]
    elif selection.cells:
        row, column = selection.cells[0]
        if column in targets:
            target = targets[column][row]
    if target is not None:
        open_drilldown(target, keep, follow)


def open_drilldown(target: Drilldown, keep: Sequence[str] = (), follow: Mapping[str, str] | None = None) -> None:
    """Open ``target`` in this session: on this page by setting its query parameters (widget callbacks only, where a
    widget's state may still change), on another page through ``st.switch_page``.

    Either way the whole page runs next, also for a table inside a fragment (``pages.common.live``), whose
    selection would otherwise rerun only the fragment and leave the drill-down unopened: ``st.rerun()`` in a
    callback asks for a full run; ``st.switch_page`` always starts one."""
    if not target.path:
        for name, values in target.params.items():
            st.query_params[name] = values if len(values) != 1 else values[0]
            if name in (follow or {}):
                st.session_state[follow[name]] = list(values)
        st.rerun()
    carried = {name: st.query_params.get_all(name) for name in keep if name in st.query_params}
    page = st.Page(LINKED_PAGES[target.path], url_path=target.path)
    st.switch_page(page, query_params={**carried, **target.params})


@contextlib.contextmanager
def guarded_panel(name: str, *, aside: bool = False) -> Iterator[None]:
    """Run one panel; an unexpected exception shows a short error in its place and the rest of the page works.
    ``aside``: a panel beside the page's purpose (the SLO page's policy line), whose missing store is one grey line,
    not a red box above the figures an SRE came for.

    ``st.stop()``/``st.rerun()`` raise ``BaseException`` subclasses and pass through untouched.
    """
    from pages.common.store_writes import is_store_error, store_read_message

    try:
        yield
    except Exception as error:
        if is_store_error(error):  # the store is down: say so plainly, without the SQL SQLAlchemy would quote
            log.warning("panel %r: the store cannot be read (%s)", name, type(error).__name__)
            if aside:
                st.caption(f":material/database: The {name} is not shown: the store did not answer.")
            else:
                st.error(store_read_message(f"the {name}", error, _store_url()), icon=":material/database:")
            return
        log.exception("panel %r failed", name)
        st.error(
            f"The {name} could not be shown: {type(error).__name__}: {_first_line(error)}. "
            "The rest of the page still works; the server log has the details.",
            icon=":material/error:",
        )


def _store_url():
    try:
        from pages.common import loaders

        return loaders.settings().database_url
    except Exception:
        return None


def _first_line(error: BaseException) -> str:
    from data.secrets import redact

    text = str(error).strip()
    return redact(text.splitlines()[0])[:300] if text else "no message"


def catalog_or_stop(settings, require_slos: bool = False):
    """The SLO catalog for a page; when its folder is gone (or, with ``require_slos``, holds no SLO), one message
    saying what to do and the page stops."""
    from data.slo.catalog import CatalogError
    from pages.common import loaders

    try:
        catalog = loaders.catalog(settings)
    except CatalogError as error:
        st.error(
            f"The SLO catalog cannot be read: {plain(str(error))}. Point `SLO_CATALOG` at a folder of OpenSLO YAML "
            "files.",
            icon=":material/folder_off:",
        )
        st.stop()
    if require_slos and not catalog.slos:
        show_no_slos(settings)
        st.stop()
    return catalog


def show_no_slos(settings) -> None:
    show_empty_state(
        f"No SLOs defined in {settings.catalog_path}.",
        "Add OpenSLO v1 YAML files there (see config/slos/ for examples), then press Refresh.",
    )


def literal(text: str) -> str:
    """``text`` as a Markdown code span: text from a link, a source or a person shows as typed, never as a link
    (Markdown turns bare addresses and URLs into links), emphasis, HTML or a Streamlit directive."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


_AUTOLINK = re.compile(r"(\\:|w)(//|ww\.)", re.IGNORECASE)


def plain(text: str) -> str:
    """Text shown inline inside our own Markdown: keep people's words, but no Markdown or HTML of theirs."""
    special = "\\`*_{}[]<>|~:$"  # emphasis, code, links, HTML, tables, strikethrough, directives, maths
    escaped = "".join("\\" + character if character in special else character for character in text.replace("\n", " "))
    # A bare address becomes a live link even with its colon escaped: a zero-width space (an entity, since
    # Markdown decodes those) between the scheme and "//", or inside "www.", keeps it plain text.
    return _AUTOLINK.sub(lambda match: match.group(1) + "&#8203;" + match.group(2), escaped)
