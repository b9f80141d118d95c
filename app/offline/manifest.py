"""What a learner's phone stores to read a course offline: its pages and the files they show.

The list is made of the course page, its module pages in her language, the stylesheet and the
images those modules show, plus the page shown when she asks for one she did not save. Quiz
and attempt pages are never listed: they carry answers and need the server anyway.
"""

from html.parser import HTMLParser

from flask import url_for

from app.content.models import Course, Module

# Module pages asked for with this request header are being saved, not read: opening them
# must not count as "started" (the reading is recorded later, when it happens).
SAVING_HEADER = "Hocso-Offline-Save"


class _ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [value for name, value in attrs if name == "src" and value]


def image_paths(html: str, files_prefix: str) -> list[str]:
    """The images of a module's HTML served from its course folder, in order, once each."""
    parser = _ImageSources()
    parser.feed(html)
    kept = [src for src in parser.sources if src.startswith(files_prefix) and ".." not in src]
    return list(dict.fromkeys(kept))


def offline_manifest(course: Course, modules: list[Module], language: str) -> dict:
    """The URLs to store for reading this course offline, as the offline.json document."""
    files_prefix = url_for("learning.course_file", slug=course.slug, filename="")
    pages = [url_for("learning.course", slug=course.slug)]
    images: list[str] = []
    for module in modules:
        pages.append(url_for("learning.module", slug=course.slug, module_slug=module.slug))
        images += image_paths(module.html_in(language)[0], files_prefix)
    return {
        "course": course.slug,
        "pages": pages,
        "assets": [url_for("static", filename="hocso.css"), *dict.fromkeys(images)],
        "fallback": url_for("offline.fallback"),
    }
