"""Read rendered PDFs with poppler-utils, as a person's PDF reader would."""

import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

POPPLER_TOOLS = ("pdftotext", "pdffonts", "pdfinfo", "pdfdetach", "pdfsig")


def _run(tool: str, *args: str, pdf: bytes, check: bool = True) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )
    return done.stdout


def pdf_text(pdf: bytes | Path, layout: bool = True, raw: bool = False) -> str:
    """The text `pdftotext` extracts (laid out as on the page unless layout is False; in the
    order it was drawn, whatever the columns, with raw), of a PDF's bytes or file; the one helper
    every test that reads a PDF's words uses."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    mode = ["-raw"] if raw else ["-layout"] if layout else []
    return _run("pdftotext", *mode, "-enc", "UTF-8", pdf=data)


def pdf_fonts(pdf: bytes) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for each font `pdffonts` lists."""
    rows = _run("pdffonts", pdf=pdf).splitlines()[2:]
    return [(row.split()[0], _emb_column(row)) for row in rows if row.strip()]


def _emb_column(row: str) -> str:
    # Columns after the name: type words, encoding, emb, sub, uni, object id, generation.
    return row.split()[-5]


def pdf_signatures(pdf: bytes) -> str:
    """What `pdfsig` says of the file's signatures (it exits non-zero for an invalid one)."""
    return _run("pdfsig", pdf=pdf, check=False)


def pdf_pages(pdf: bytes) -> int:
    info = _run("pdfinfo", pdf=pdf)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def embedded_file_count(pdf: bytes) -> int:
    listing = _run("pdfdetach", "-list", pdf=pdf)
    return int(re.search(r"(\d+) embedded files", listing).group(1))


def inflated_bytes(pdf: bytes) -> bytes:
    """The raw PDF followed by every stream decompressed, to search for leaked bytes."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts)


def qr_codes(pdf: bytes) -> list[str]:
    """The payloads of the QR codes on the first page (needs zbarimg from zbar-tools)."""
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg is missing: apt-get install -y zbar-tools")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                path,
                Path(folder) / "page",
            ],
            check=True,
            timeout=60,
        )
        done = subprocess.run(
            ["zbarimg", "--raw", "-q", Path(folder) / "page.png"],
            check=False,  # exit status 4 means "no code found": an empty list
            capture_output=True,
            text=True,
            timeout=60,
        )
    return done.stdout.split()
