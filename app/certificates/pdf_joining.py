"""Joining PDFs by streaming: each part is read, its objects written out, and the part let go.

pypdf's PdfWriter (and qpdf) keep every object of every part until the joined file is written,
so a 10,000-certificate print held all its pages at once. Here a part's pages and everything
they reach (contents, resources, fonts, annotations) are renumbered and written as soon as the
part is read; what stays is one file offset per object and one reference per page, whatever the
size of the batch. Only pages are carried over: the parts' outlines and named destinations are
not (ours have none worth keeping in a printed set). Objects are written plainly (no object
streams) with a classic cross-reference table, which pyHanko's incremental signing reads.
"""

import gc
import io
import os
from array import array
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    create_string_object,
)

CATALOG, PAGES, INFO = 1, 2, 3  # fixed numbers of the joined file's own objects
_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"

PdfSource = Path | str | BinaryIO


class _Output:
    """The joined file as it is written: where each object starts, and the page references."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.start = stream.tell()
        self.offsets = array("Q", [0, 0, 0, 0])  # index = object number; 0 is the free head
        self.pages: list[int] = []

    def reserve(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def write_object(self, number: int, obj: PdfObject) -> None:
        self.offsets[number] = self.stream.tell() - self.start
        self.stream.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(self.stream)
        self.stream.write(b"\nendobj\n")


def join_pdf_files(sources: Iterable[PdfSource], output: BinaryIO, title: str) -> int:
    """Write the pages of `sources`, in order, to `output` as one PDF; returns the page count.

    Sources are opened one at a time, as the iterable yields them, and each is done with before
    the next is read."""
    out = _Output(output)
    output.write(_HEADER)
    for source in sources:
        _copy_pages(PdfReader(source), out)
        gc.collect(1)  # a reader and its objects refer to each other: free them now, not at some later pass
    kids = ArrayObject(IndirectObject(number, 0, None) for number in out.pages)
    out.write_object(PAGES, DictionaryObject({NameObject("/Type"): NameObject("/Pages"),
                                              NameObject("/Kids"): kids,
                                              NameObject("/Count"): NumberObject(len(kids))}))
    out.write_object(CATALOG, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"),
                                                NameObject("/Pages"): IndirectObject(PAGES, 0, None)}))
    out.write_object(INFO, DictionaryObject({NameObject("/Title"): create_string_object(title),
                                             NameObject("/Creator"): create_string_object("Hocso"),
                                             NameObject("/Producer"): create_string_object("Hocso")}))
    _write_xref_and_trailer(out)
    return len(out.pages)


def join_pdfs(parts: Iterable[bytes], title: str) -> bytes:
    """Small joins in memory (the parts are already there): the same writer over byte strings."""
    output = io.BytesIO()
    join_pdf_files((io.BytesIO(part) for part in parts), output, title)
    return output.getvalue()


def page_count(source: PdfSource) -> int:
    """The page count from the page tree's root, without reading every page."""
    return int(PdfReader(source).trailer["/Root"]["/Pages"]["/Count"])


def _copy_pages(reader: PdfReader, out: _Output) -> None:
    numbers: dict[tuple[int, int], int] = {}  # this part's (number, generation) -> joined number
    queue: deque[tuple[int, IndirectObject]] = deque()

    def renumbered(reference: IndirectObject) -> IndirectObject:
        key = (reference.idnum, reference.generation)
        if key not in numbers:
            target = reference.get_object()
            kind = target.get("/Type") if isinstance(target, DictionaryObject) else None
            if kind in ("/Pages", "/Catalog"):  # the part's own tree: the joined file has its own
                return IndirectObject(PAGES if kind == "/Pages" else CATALOG, 0, None)
            numbers[key] = out.reserve()
            queue.append((numbers[key], reference))
        return IndirectObject(numbers[key], 0, None)

    def copied(obj: PdfObject) -> PdfObject:
        if isinstance(obj, IndirectObject):
            return renumbered(obj)
        if isinstance(obj, StreamObject):
            stream = StreamObject()
            stream._data = obj._data  # as encoded, with its /Filter: no decoding, no re-encoding
            stream.update({key: copied(value) for key, value in obj.items() if key != "/Length"})
            return stream
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({key: copied(value) for key, value in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(copied(value) for value in obj)
        return obj

    for page in reader.pages:
        out.pages.append(renumbered(page.indirect_reference).idnum)
    while queue:
        number, reference = queue.popleft()
        obj = copied(reference.get_object())
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page":
            obj[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
        out.write_object(number, obj)


def _write_xref_and_trailer(out: _Output) -> None:
    stream, size = out.stream, len(out.offsets)
    xref_at = stream.tell() - out.start
    stream.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        stream.write(b"%010d 00000 n \n" % out.offsets[number])
    file_id = os.urandom(16).hex().encode()
    stream.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                 % (size, CATALOG, INFO, file_id, file_id))
    stream.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
