"""The streaming join: pages in order, a file other readers accept, and memory that does not grow
with the number of parts (each part is written out before the next is read)."""

import io
import tracemalloc
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from app.certificates.pdf_joining import join_pdf_files, join_pdfs


def part_pdf(label: str, pages: int = 3, padding: int = 20_000) -> bytes:
    """A small PDF whose pages each draw `label` and carry `padding` bytes of content."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for number in range(pages):
        page = writer.add_blank_page(200, 200)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
        content = DecodedStreamObject()
        content.set_data(b"BT /F1 12 Tf 20 100 Td (%s-%d) Tj ET\n" % (label.encode(), number)
                         + b"% " + b"x" * padding + b"\n")
        page[NameObject("/Contents")] = writer._add_object(content)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_pages_come_out_in_order_with_the_title():
    joined = PdfReader(io.BytesIO(join_pdfs([part_pdf("a", 2), part_pdf("b", 3)], "Giấy chứng nhận")))
    assert [page.extract_text().split()[0] for page in joined.pages] == ["a-0", "a-1", "b-0", "b-1", "b-2"]
    assert joined.metadata.title == "Giấy chứng nhận"
    assert all(page["/Parent"].get_object()["/Count"] == 5 for page in joined.pages)


def test_each_part_is_written_before_the_next_is_read(tmp_path: Path):
    paths = [tmp_path / f"{n}.pdf" for n in range(4)]
    for n, path in enumerate(paths):
        path.write_bytes(part_pdf(str(n)))
    output = io.BytesIO()
    written_when_asked: list[int] = []

    def sources():
        for path in paths:
            written_when_asked.append(output.tell())
            yield path

    assert join_pdf_files(sources(), output, "t") == 12
    # Every part adds its pages' 60 KB of content to the file before the next part is opened.
    assert all(later - earlier > 50_000 for earlier, later in zip(written_when_asked, written_when_asked[1:]))


def join_peak_bytes(paths: list[Path], folder: Path) -> int:
    with (folder / "joined.pdf").open("wb") as output:
        tracemalloc.start()
        try:
            join_pdf_files(paths, output, "t")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_parts(tmp_path: Path):
    path = tmp_path / "part.pdf"
    path.write_bytes(part_pdf("p"))  # 60 KB of page content
    few, many = join_peak_bytes([path] * 3, tmp_path), join_peak_bytes([path] * 40, tmp_path)
    # Holding the parts (as pypdf's PdfWriter does until it writes) would need 40 × 60 KB.
    assert many < few + 500_000, (few, many)
