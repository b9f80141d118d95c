"""Course Markdown to safe HTML: one Markdown setup, one sanitiser policy. Pure: no Flask, no db."""

import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

import markdown
import nh3

# fmt: off
TEXT_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "u", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "col", "colgroup",
})
# Dropped together with their content: their text is code or markup, never reading matter.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "object", "embed", "noscript", "noembed",
    "noframes", "textarea", "select", "title", "xmp", "svg", "math",
})
# fmt: on
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang"},  # ammonia's default; written out so html_removed_by_sanitiser knows
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    **{tag: {"class"} for tag in ("div", "p", "span", "code")},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
ADMONITION_CLASSES = frozenset(
    {"admonition", "note", "tip", "warning", "danger", "important", "admonition-title"}
)
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9_+#.-]{1,40}", re.IGNORECASE)
_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "admonition", "sane_lists")


def slugify_heading(value: str, separator: str = "-") -> str:
    """An ASCII anchor for a heading: 'Chuyển đổi số' -> 'chuyen-doi-so'."""
    # NFKD splits the accents off the letters; đ has no decomposition, so it is mapped by hand.
    decomposed = unicodedata.normalize("NFKD", value.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return separator.join(words) or "section"


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Narrow the free-form attributes the policy allows to harmless values."""
    if attribute == "class":
        classes = [
            name
            for name in dict.fromkeys(value.split())
            if name in ADMONITION_CLASSES or (tag == "code" and _LANGUAGE_CLASS.fullmatch(name))
        ]
        return " ".join(classes) or None
    if attribute == "id":
        return value if _SAFE_ID.fullmatch(value) else None
    return value


def _files_url_rewriter(files_url: str):
    base = files_url.rstrip("/") + "/"

    def rewrite(url: str) -> str:
        # Anchors, site paths and queries stay; paths inside the course folder get the files URL.
        stripped = url.strip()
        if not stripped or stripped[0] in "/#?\\":
            return stripped
        return base + stripped

    return rewrite


def _cleaner(url_relative=None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TEXT_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        url_relative=url_relative,
    )


_SANITISER = _cleaner()


@lru_cache(maxsize=256)
def _course_cleaner(files_url: str) -> nh3.Cleaner:
    return _cleaner(_files_url_rewriter(files_url))


def sanitize_html(html: str) -> str:
    """The one sanitiser: safe tags, attributes and URLs only (idempotent)."""
    return _SANITISER.clean(html)


@lru_cache(maxsize=256)
def sanitize_html_cached(html: str) -> str:
    """sanitize_html for pages: the same module HTML is shown thousands of times, and cleaning
    it costs a quarter of a millisecond; the cache is keyed by the exact text, so it can never
    return another text's cleaning."""
    return sanitize_html(html)


def _new_markdown(with_toc: bool) -> markdown.Markdown:
    extensions = [*_MARKDOWN_EXTENSIONS, "toc"] if with_toc else list(_MARKDOWN_EXTENSIONS)
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={
            "toc": {"slugify": slugify_heading, "toc_depth": "2-3"},
            # align="..." instead of style="text-align: ..." so no style attribute is needed.
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )


def render_markdown(text: str, files_url: str) -> tuple[str, str]:
    """Body HTML and table-of-contents HTML (empty when there are no ## or ### headings)."""
    converter = _new_markdown(with_toc=True)
    body = converter.convert(text)
    toc = converter.toc if converter.toc_tokens else ""  # type: ignore[attr-defined]
    cleaner = _course_cleaner(files_url)
    # Sanitising the cleaned output again changes nothing, so templates may re-sanitise freely.
    return cleaner.clean(body), sanitize_html(toc)


_SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!<p[\s>]|</p>).)*)</p>", re.DOTALL)


def render_inline(text: str, files_url: str) -> str:
    """HTML for a prompt or option; a lone wrapping <p> is removed."""
    html = _course_cleaner(files_url).clean(_new_markdown(with_toc=False).convert(text)).strip()
    single = _SINGLE_PARAGRAPH.fullmatch(html)
    return single.group(1) if single else html


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.start_tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append((tag, attrs))


def html_removed_by_sanitiser(fragment: str) -> list[str]:
    """What sanitize_html would drop from raw HTML tags, e.g. ["the <script> tag"]."""
    collector = _TagCollector()
    collector.feed(fragment)
    collector.close()
    removed = []
    for tag, attrs in collector.start_tags:
        if tag not in TEXT_TAGS:
            removed.append(f"the <{tag}> tag")
            continue
        allowed = ATTRIBUTES.get(tag, set()) | ATTRIBUTES["*"]
        for name, value in attrs:
            if name not in allowed:
                removed.append(f"the {name} attribute of <{tag}>")
            elif name in ("class", "id") and _keep_attribute(tag, name, value or "") != value:
                removed.append(f'the {name}="{value}" of <{tag}>')
    return removed
