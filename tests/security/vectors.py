"""Find executable vectors in a rendered page or HTML fragment, reading it as html.parser does.

A vector is anything that could run script, load a foreign document or restyle and re-target
the page: a dangerous tag, an `on*` or `style` attribute, a URL whose scheme is not http,
https or mailto, or a form that is not one of the app's own.
"""

import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "svg",
    "math", "portal", "noscript", "template", "isindex",
})
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background",
    "data", "cite", "longdesc", "ping", "manifest", "icon", "dynsrc", "lowsrc", "codebase",
})
ALWAYS_FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "formaction"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# A second net under the parser: these tag openings never appear in an escaped page.
_RAW_TAG = re.compile(r"<\s*/?\s*(script|iframe|object|embed|svg|math|style|base)\b", re.IGNORECASE)
# "<!-->" ends a comment at once in a browser, while html.parser reads on to the next "-->".
_ABRUPT_COMMENT = re.compile(r"<!--->?|<!-->")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# As the WHATWG URL parser does: C0 controls and spaces trimmed at both ends, tab and newlines
# removed everywhere ("java\tscript:" is "javascript:").
_TRIMMED = "".join(chr(c) for c in range(0x21))
_REMOVED = re.compile(r"[\t\n\r]")

RouteCheck = Callable[[str, str], bool]


def unsafe_url(value: str) -> bool:
    """True when a browser would read a scheme other than http, https or mailto."""
    for candidate in value.split(","):  # srcset lists several URLs
        compact = _REMOVED.sub("", candidate.strip(_TRIMMED))
        scheme = _SCHEME.match(compact)
        if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
            return True
    return False


def app_route_check(app: Flask) -> RouteCheck:
    """A check that a form's action is one of the app's own routes for that method."""
    adapter = app.url_map.bind("localhost")

    def known(action: str, method: str) -> bool:
        if not action.startswith("/") or action.startswith("//"):
            return False
        try:
            adapter.match(urlsplit(action).path, method=method.upper())
        except (HTTPException, RequestRedirect):
            return False
        return True

    return known


class _Scanner(HTMLParser):
    def __init__(self, known_route: RouteCheck | None) -> None:
        super().__init__(convert_charrefs=True)
        self.known_route = known_route
        self.in_head = False
        self.vectors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        values = {name: value or "" for name, value in attrs}
        shown = self.get_starttag_text() or f"<{tag}>"
        if self._is_own_head_element(tag, values):
            return
        if tag in FORBIDDEN_TAGS or tag in ("meta", "link"):
            self.vectors.append(f"tag <{tag}>: {shown[:120]}")
        if tag == "form" and not self._is_own_form(values):
            self.vectors.append(f"foreign form: {shown[:120]}")
        for name, value in values.items():
            if name.startswith("on") or name in ALWAYS_FORBIDDEN_ATTRIBUTES:
                self.vectors.append(f"attribute {name}: {shown[:120]}")
            elif name in URL_ATTRIBUTES and unsafe_url(value):
                self.vectors.append(f"URL {name}={value[:60]!r}: {shown[:120]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def _is_own_head_element(self, tag: str, values: dict[str, str]) -> bool:
        """The layout's own <meta>, stylesheet and empty icon, inside <head> only."""
        if not self.in_head:
            return False
        if tag == "meta":
            return set(values) == {"charset"} or (
                set(values) == {"name", "content"} and values["name"] == "viewport"
            )
        if tag == "link":
            stylesheet = values.get("rel") == "stylesheet" and values.get("href", "").startswith(
                "/static/"
            )
            empty_icon = values.get("rel") == "icon" and values.get("href") == "data:,"
            return set(values) == {"rel", "href"} and (stylesheet or empty_icon)
        return False

    def _is_own_form(self, values: dict[str, str]) -> bool:
        method = values.get("method", "get")
        return self.known_route is not None and self.known_route(values.get("action", ""), method)


def executable_vectors(html: str, known_route: RouteCheck | None = None) -> list[str]:
    """Every vector found; forms count as the app's own only when `known_route` accepts them."""
    scanner = _Scanner(known_route)
    scanner.feed(html)
    scanner.close()
    raw = [f"raw tag text {m.group(0)!r}" for m in _RAW_TAG.finditer(html)]
    raw += [f"abruptly closed comment {m.group(0)!r}" for m in _ABRUPT_COMMENT.finditer(html)]
    return scanner.vectors + raw
