"""Printing a unit's certificates at once: one print-ready PDF, or a ZIP of the issued PDFs.

The PDF starts with a cover list, then has one page per certificate, ordered by unit (today's
units, merged ones rolled up) and then by Vietnamese name, numbered as on the cover. Certificates
are rendered from their frozen facts with the same template as when issued, many pages per
WeasyPrint document (one font configuration, layout caches shared), in chunks so that memory
stays bounded, each chunk through `render_pdf` (two at a time); the cover list too, in parts of
a few pages. Finished parts go to scratch files and are joined by streaming (pdf_joining.py):
neither the worker nor a render child ever holds more than a part or two, at any batch size.
The joined PDF is signed as a whole (CERTIFICATE_SIGN_PRINT_BATCH). The ZIP holds the PDFs exactly
as issued, each with its own signature, so their SHA-256 still matches the verification page.

As a background job, the selection is read and its transaction ended before anything renders,
and each finished chunk is saved with the job: a job resumed after its worker died renders only
the chunks it had not finished (a chunk whose certificates changed meanwhile is rendered again).
"""

import hashlib
import io
import re
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import undefer

from app.accounts.models import User
from app.accounts.services import vietnamese_sort_key
from app.certificates import signing
from app.certificates.certificate_document import CertificateFacts, certificate_html
from app.certificates.models import Certificate, CertificateStatus
from app.certificates.pdf_joining import join_pdf_files, join_pdfs, page_count
from app.certificates.pdf_rendering import render_pdf
from app.certificates.services import facts_of, stored_pdf
from app.content.models import Course
from app.database import end_read_transaction
from app.extensions import db
from app.i18n.dates import format_vietnamese_date
from app.intakes.models import Intake
from app.jobs.services import JobError, JobResult, JobRun, job_kind
from app.progress.models import Enrolment
from app.units.rollup import UnitTree, collation_key
from app.units.services import today
from app.units.tree import unit_tree_on

CHUNK_SIZE = 50  # certificates per WeasyPrint document: ~2 s and well under the memory budget
SECONDS_PER_SHEET = 1.0  # added to the render time limit for each page of a chunk
RENDER_WORKERS = 2  # chunks rendered at once (two child processes, ~160 MiB each)
# The cover list in pages of a fixed number of lines (a line is one text line: 20 leave room for
# a few wrapped names), so that its page numbers are known before any part of it is rendered.
COVER_ROWS_FIRST_PAGE = 14
COVER_ROWS_PER_PAGE = 20
COVER_PAGES_PER_PART = 10  # pages per cover document: one render child lays out ~200 lines
PRINT_JOB = "certificates.print"
PDF_MIMETYPE = "application/pdf"
ZIP_MIMETYPE = "application/zip"
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
_SHEETS_HEAD = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Giấy chứng nhận</title>'
    '<link rel="stylesheet" href="fonts.css"><link rel="stylesheet" href="certificate.css">'
    "<style>.batch-sheet { break-before: page } .batch-sheet:first-child { break-before: auto }"
    "</style></head><body>"
)
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates" / "certificates"),
    autoescape=True,  # names and units are learner- and admin-controlled text
    undefined=StrictUndefined,
)

Progress = Callable[[int, int], None]


class SelectionError(JobError):
    """The course, unit or intake asked for does not exist."""


@dataclass(frozen=True)
class PrintSelection:
    course_slug: str
    unit_code: str | None = None  # with every unit beneath it, merged units rolled up
    intake_code: str | None = None


@dataclass(frozen=True)
class PrintItem:
    number: int  # position in the printed set, as on the cover list
    certificate_id: int
    facts: CertificateFacts
    unit_label: str  # today's unit, by which the set is ordered


@dataclass(frozen=True)
class PrintSet:
    course: Course
    unit_label: str
    intake: Intake | None
    on: date
    items: tuple[PrintItem, ...]


def select_for_print(selection: PrintSelection, on: date | None = None) -> PrintSet:
    """The valid certificates of a course (for a unit and its children, an intake), in print order."""
    on = on or today()
    course = db.session.scalar(sa.select(Course).where(Course.slug == selection.course_slug))
    if course is None:
        raise SelectionError(f"no course {selection.course_slug!r}")
    query = (sa.select(Certificate, User.unit_id).join(User, User.id == Certificate.user_id)
             .where(Certificate.course_id == course.id, Certificate.status == CertificateStatus.VALID))
    intake = None
    if selection.intake_code:
        intake = db.session.scalar(sa.select(Intake).filter_by(course_id=course.id,
                                                               code=selection.intake_code))
        if intake is None:
            raise SelectionError(f"no intake {selection.intake_code!r} in {course.slug}")
        query = query.join(Enrolment, (Enrolment.user_id == User.id)
                           & (Enrolment.course_id == course.id)).where(Enrolment.intake_id == intake.id)
    tree = unit_tree_on(on)
    unit_label = ""
    if selection.unit_code:
        unit = tree.by_code(selection.unit_code)
        if unit is None:
            raise SelectionError(f"no unit {selection.unit_code!r}")
        query = query.where(User.unit_id.in_(tree.recorded_under(unit.id)))
        unit_label = tree.display_name(unit.id)
    rows = sorted(db.session.execute(query), key=lambda row: _print_order(tree, *row))
    items = tuple(
        PrintItem(number, certificate.id, facts_of(certificate), _unit_label(tree, unit_id))
        for number, (certificate, unit_id) in enumerate(rows, 1)
    )
    return PrintSet(course, unit_label, intake, on, items)


def _print_order(tree: UnitTree, certificate: Certificate, unit_id: int | None) -> tuple:
    if unit_id in tree.nodes:  # by province, then district, then commune name
        units = (0, tuple(collation_key(tree.node(uid).name) for uid in tree.path(unit_id)))
    else:  # learners without a unit come last
        units = (1, ())
    return units, vietnamese_sort_key(certificate.full_name), certificate.code


def _unit_label(tree: UnitTree, unit_id: int | None) -> str:
    return tree.display_name(unit_id) if unit_id in tree.nodes else ""


def chunks(items: Sequence[PrintItem], size: int = CHUNK_SIZE) -> Iterator[Sequence[PrintItem]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def sheets_html(items: Sequence[PrintItem]) -> str:
    """One HTML document, one certificate page per item, each exactly as `certificate_html` draws it."""
    sheets = []
    for item in items:
        match = _BODY.search(certificate_html(item.facts))
        if match is None:
            raise AssertionError("the certificate template has no <body>")
        sheets.append(f'<div class="batch-sheet">{match.group(1)}</div>')
    return _SHEETS_HEAD + "".join(sheets) + "</body></html>"


def cover_pages(items: Sequence[PrintItem]) -> list[Sequence[PrintItem]]:
    """The cover list's lines, page by page: fewer on the first, under the title and the facts."""
    pages = [items[:COVER_ROWS_FIRST_PAGE]]
    for start in range(COVER_ROWS_FIRST_PAGE, len(items), COVER_ROWS_PER_PAGE):
        pages.append(items[start:start + COVER_ROWS_PER_PAGE])
    return pages


def cover_parts(print_set: PrintSet) -> list[list[Sequence[PrintItem]]]:
    """The cover's pages, COVER_PAGES_PER_PART to a document, so no render lays out the lot."""
    pages = cover_pages(print_set.items)
    return [pages[first:first + COVER_PAGES_PER_PART] for first in range(0, len(pages), COVER_PAGES_PER_PART)]


def cover_parts_html(print_set: PrintSet, page_counts: Sequence[int] | None = None
                     ) -> Iterator[tuple[str, int]]:
    """Each cover document's HTML and line count, its pages numbered where they fall in the whole
    list ("Trang 12/357"). `page_counts`: the pages each part really took, when a first
    rendering overflowed the plan (lines that wrapped), to number them again from those."""
    parts = cover_parts(print_set)
    counts = list(page_counts) if page_counts is not None else [len(part) for part in parts]
    template = _templates.get_template("batch_cover_pdf.html")
    printed_on = format_vietnamese_date(print_set.on)
    first = 1
    for part, count in zip(parts, counts, strict=True):
        yield template.render(print_set=print_set, printed_on=printed_on, pages=part, first_page=first,
                              total_pages=sum(counts)), sum(map(len, part))
        first += count


def _renumber_cover(print_set: PrintSet, paths: list[Path], workers: int) -> None:
    """Render the cover parts again, numbered by their real page counts, if any took more pages
    than planned; the page numbers and total are otherwise known before anything renders."""
    counts = [page_count(path) for path in paths]
    if counts == [len(part) for part in cover_parts(print_set)]:
        return
    base_timeout = current_app.config["PDF_RENDER_TIMEOUT_SECONDS"]

    def render(path: Path, html: str, lines: int) -> None:
        path.write_bytes(render_pdf(html, timeout_seconds=base_timeout + lines / 20))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hocso-print") as pool:
        renders = [pool.submit(render, path, html, lines)  # ~5 KB of HTML a page: a rare, small pass
                   for path, (html, lines) in zip(paths, cover_parts_html(print_set, counts), strict=True)]
        for future in renders:
            future.result()


@dataclass(frozen=True)
class _Part:
    """One document of the printed set, rendered (or taken from an earlier run) into `path`."""

    path: Path
    render: Callable[[], bytes]
    position: int | None = None  # a chunk of certificates: its place, by which it is saved
    digest: str = ""
    certificates: int = 0


def print_pdf(print_set: PrintSet, progress: Progress = lambda done, total: None,
              chunk_size: int = CHUNK_SIZE, workers: int | None = None,
              saved: JobRun | None = None) -> bytes:
    """The cover and every certificate as one PDF. `workers` parts render at once, each in its own
    bounded child process, and each finished part goes to a scratch file; the files are then
    joined by streaming, so memory stays flat whatever the size of the set (only the finished
    file is returned in memory). With `saved` (a job's run), chunks finished by an earlier run
    are reused and new ones saved."""
    if not print_set.items:
        raise JobError("no valid certificate matches this selection")
    title = f"Giấy chứng nhận — {print_set.course.title}"
    with tempfile.TemporaryDirectory(prefix="hocso-print-") as scratch:
        folder = Path(scratch)
        workers = workers or RENDER_WORKERS
        parts = _render_parts(_parts(print_set, folder, chunk_size), len(print_set.items), progress,
                              workers, saved)
        _renumber_cover(print_set, [path for path in parts if path.name.startswith("cover-")], workers)
        joined = folder / "joined.pdf"
        with joined.open("wb") as output:
            join_pdf_files(parts, output, title)
        for part in parts:
            part.unlink()
        return sign_print(joined, title)


def _parts(print_set: PrintSet, folder: Path, chunk_size: int) -> Iterator[_Part]:
    base_timeout = current_app.config["PDF_RENDER_TIMEOUT_SECONDS"]
    for index, (html, lines) in enumerate(cover_parts_html(print_set)):
        yield _Part(folder / f"cover-{index:05d}.pdf",
                    partial(render_pdf, html, timeout_seconds=base_timeout + lines / 20))
    for position, chunk in enumerate(chunks(print_set.items, chunk_size)):
        yield _Part(folder / f"sheets-{position:05d}.pdf", partial(_render_sheets, chunk, base_timeout),
                    position, chunk_digest(chunk), len(chunk))


def _render_parts(parts: Iterable[_Part], total: int, progress: Progress, workers: int,
                  saved: JobRun | None) -> list[Path]:
    """Render the parts in order, at most `workers` at once and one more waiting, never more: a
    finished part is on disk before the next is started, so the parent holds none of them."""
    pending: deque[tuple[_Part, Future | None]] = deque()
    paths: list[Path] = []
    done = 0
    progress(0, total)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hocso-print")

    def finish(part: _Part, future: Future | None) -> None:
        nonlocal done
        if future is not None:
            future.result()
            if saved is not None and part.position is not None:
                saved.save_part(part.position, part.digest, part.path.read_bytes())
        if part.certificates:  # in order, so progress and pages follow the cover list
            done += part.certificates
            progress(done, total)

    try:
        for part in parts:
            paths.append(part.path)
            pending.append((part, _saved_or_rendered(pool, saved, part)))
            while len(pending) > workers:
                finish(*pending.popleft())
        while pending:
            finish(*pending.popleft())
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, render nothing more
    return paths


def _saved_or_rendered(pool: ThreadPoolExecutor, saved: JobRun | None, part: _Part) -> Future | None:
    content = (saved.saved_part(part.position, part.digest)
               if saved is not None and part.position is not None else None)
    if content is None:
        return pool.submit(_render_to_file, part)
    part.path.write_bytes(content)
    return None


def _render_to_file(part: _Part) -> None:
    part.path.write_bytes(part.render())


def sign_print(joined: Path, title: str) -> bytes:
    """The joined file signed as a whole, when configured (CERTIFICATE_SIGN_PRINT_BATCH) and a key
    is set: one signature over every page, since the certificates' own cannot survive joining."""
    identity = signing.current_identity()
    if identity is None or not current_app.config["CERTIFICATE_SIGN_PRINT_BATCH"]:
        return joined.read_bytes()
    signed = joined.with_name("signed.pdf")
    with joined.open("rb") as source, signed.open("w+b") as output:
        signing.sign_pdf_stream(source, output, identity, f"Bộ {title} (Hocso)")
    return signed.read_bytes()


def chunk_digest(items: Sequence[PrintItem]) -> str:
    """What a chunk holds: its certificates, their codes and page numbers."""
    text = "|".join(f"{item.number}:{item.certificate_id}:{item.facts.code}" for item in items)
    return hashlib.sha256(text.encode()).hexdigest()


def _render_sheets(items: Sequence[PrintItem], base_timeout: float) -> bytes:
    return render_pdf(sheets_html(items), timeout_seconds=base_timeout + SECONDS_PER_SHEET * len(items))


def print_cover(print_set: PrintSet) -> bytes:
    """The cover list alone, as one PDF (the ZIP's first file), rendered part by part."""
    base_timeout = current_app.config["PDF_RENDER_TIMEOUT_SECONDS"]

    def rendered(page_counts: list[int] | None) -> list[bytes]:
        return [render_pdf(html, timeout_seconds=base_timeout + lines / 20)
                for html, lines in cover_parts_html(print_set, page_counts)]

    parts = rendered(None)
    counts = [page_count(io.BytesIO(part)) for part in parts]
    if counts != [len(part) for part in cover_parts(print_set)]:
        parts = rendered(counts)
    return join_pdfs(parts, title="Danh sách giấy chứng nhận")


def print_zip(print_set: PrintSet, progress: Progress = lambda done, total: None) -> bytes:
    """The cover list and each certificate's issued PDF, one folder per unit."""
    if not print_set.items:
        raise JobError("no valid certificate matches this selection")
    total = len(print_set.items)
    progress(0, total)
    cover = print_cover(print_set)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("000-danh-sach.pdf", cover)
        done = 0
        for chunk in chunks(print_set.items):
            stored = _stored_pdfs([item.certificate_id for item in chunk])
            for item in chunk:
                archive.writestr(zip_name(item), stored[item.certificate_id])
            done += len(chunk)
            progress(done, total)
    return output.getvalue()


def _stored_pdfs(ids: list[int]) -> dict[int, bytes]:
    rows = list(db.session.scalars(sa.select(Certificate).options(undefer(Certificate.pdf))
                                   .where(Certificate.id.in_(ids))))
    pdfs = {row.id: row.pdf for row in rows if row.pdf_sha256 is not None}
    for row in rows:
        if row.id not in pdfs:  # issued but never downloaded: render it now, once
            pdfs[row.id] = stored_pdf(row)
            db.session.commit()
    end_transaction_keeping()
    return pdfs


def zip_name(item: PrintItem) -> str:
    """"xa-ta-van-tinh-lao-cai/007-nguyen-thi-hong-nhung-7KQ2M-9XW4T-HC3PA-R8FVN.pdf"."""
    folder = ascii_slug(item.unit_label) or "khong-don-vi"
    return f"{folder}/{item.number:03d}-{ascii_slug(item.facts.full_name)}-{item.facts.code}.pdf"


def ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", collation_key(text)[0]).strip("-")[:80]


@job_kind(PRINT_JOB, page_endpoint="certificates_admin.print_job")
def print_job(run: JobRun) -> JobResult:
    """Background job: params course, unit, intake (codes), format ("pdf" or "zip"), on (ISO date)."""
    params, progress = run.params, run.report
    selection = PrintSelection(params["course"], params.get("unit") or None, params.get("intake") or None)
    print_set = select_for_print(selection, date.fromisoformat(params["on"]))
    end_transaction_keeping(print_set.course, print_set.intake)
    name = "-".join(p for p in ("chung-nhan", selection.course_slug, selection.unit_code,
                                selection.intake_code) if p)
    name = re.sub(r"[^A-Za-z0-9-]+", "-", name)
    if params.get("format") == "zip":
        return JobResult(print_zip(print_set, progress), f"{name}.zip", ZIP_MIMETYPE)
    return JobResult(print_pdf(print_set, progress, CHUNK_SIZE, saved=run), f"{name}.pdf", PDF_MIMETYPE)


def end_transaction_keeping(*keep: object) -> None:
    """End the transaction before rendering, so that no connection sits "idle in transaction" for
    the minutes a print takes; the records in `keep` stay readable as loaded (detached)."""
    for record in keep:
        if record is not None:
            db.session.expunge(record)
    end_read_transaction()
