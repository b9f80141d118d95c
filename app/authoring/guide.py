"""The module format guide, served to instructors inside the app: a browser-only author cannot open
courses/README.md. The guide's Markdown lives beside this file, one file per interface language."""

from functools import lru_cache
from pathlib import Path

from app.content.rendering import render_markdown

GUIDE_FILES = {language: Path(__file__).with_name("guide") / f"{language}.md" for language in ("vi", "en")}


@lru_cache(maxsize=len(GUIDE_FILES))
def guide_html(language: str) -> tuple[str, str]:
    """The guide's body and table of contents as sanitised HTML, in this language (else Vietnamese)."""
    source = GUIDE_FILES.get(language, GUIDE_FILES["vi"]).read_text(encoding="utf-8")
    return render_markdown(source, "/authoring/guide/")
