"""Course Markdown becomes the HTML we mean, and nothing an attacker could run survives."""

import re
from html.parser import HTMLParser

import pytest

from app.content.rendering import (
    ADMONITION_CLASSES,
    TEXT_TAGS,
    html_removed_by_sanitiser,
    render_inline,
    render_markdown,
    sanitize_html,
    slugify_heading,
)

FILES_URL = "/courses/chuyen-doi-so-co-ban/files"


class _Elements(HTMLParser):
    """Start tags with their (entity-decoded) attributes, and whether any comment survived."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def elements(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    parsed.close()
    return parsed


def body(markdown_text: str) -> str:
    return render_markdown(markdown_text, FILES_URL)[0]


# ---- what Markdown becomes -------------------------------------------------------------------


def test_table_renders_with_align_attributes_not_styles():
    html = body("| Xã | Dân số |\n|:---|---:|\n| An Bình | 5.000 |\n")

    assert "<table>" in html
    assert '<th align="left">Xã</th>' in html
    assert '<td align="right">5.000</td>' in html
    assert "style" not in html


def test_fenced_code_keeps_its_language_class():
    html = body("```python\nprint('xin chào')\n```\n")

    assert '<pre><code class="language-python">' in html
    assert "print(&#x27;xin chào&#x27;)" in html or "print('xin chào')" in html


def test_headings_get_vietnamese_friendly_ids_and_build_the_toc():
    html, toc = render_markdown("## Chuyển đổi số\n\n### Đường dây nóng\n\nVăn bản.\n", FILES_URL)

    assert '<h2 id="chuyen-doi-so">Chuyển đổi số</h2>' in html
    assert '<h3 id="duong-day-nong">' in html
    toc_links = [dict(attrs)["href"] for tag, attrs in elements(toc).tags if tag == "a"]
    assert toc_links == ["#chuyen-doi-so", "#duong-day-nong"]


def test_toc_is_empty_without_section_headings():
    assert render_markdown("Chỉ có một đoạn văn.\n", FILES_URL)[1] == ""


def test_repeated_headings_get_distinct_ids():
    html = body("## Ôn tập\n\n## Ôn tập\n")

    assert 'id="on-tap"' in html
    assert 'id="on-tap_1"' in html


def test_slugify_strips_accents_and_maps_d_with_stroke():
    assert slugify_heading("Đổi mới: Quyết định 146/QĐ-TTg") == "doi-moi-quyet-dinh-146-qd-ttg"
    assert slugify_heading("???") == "section"


def test_admonition_keeps_its_classes():
    html = body('!!! warning "Cảnh báo"\n    Không chia sẻ mã OTP.\n')

    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Cảnh báo</p>' in html


def test_sane_lists_keep_the_start_number():
    assert '<ol start="3">' in body("3. ba\n4. bốn\n")


def test_relative_image_and_link_are_served_from_the_course_files():
    html = body("![Sơ đồ](images/so-do.png) [mẫu](tai-lieu/mau.pdf)\n")

    assert f'src="{FILES_URL}/images/so-do.png"' in html
    assert f'href="{FILES_URL}/tai-lieu/mau.pdf"' in html


def test_files_url_with_a_trailing_slash_gives_one_slash():
    html = render_markdown("![x](images/a.png)", FILES_URL + "/")[0]

    assert f'src="{FILES_URL}/images/a.png"' in html


@pytest.mark.parametrize(
    "url",
    [
        "https://dichvucong.gov.vn/p/home",
        "mailto:hotro@xa.gov.vn",
        "#muc-2",
        "/courses",
        "?q=1",
    ],
)
def test_absolute_and_anchor_urls_are_left_alone(url):
    html = body(f"[liên kết]({url})")

    assert f'href="{url.replace("&", "&amp;")}"' in html


def test_links_get_noopener_noreferrer():
    link = elements(body("[DVC](https://dichvucong.gov.vn)")).tags[-1]

    assert ("rel", "noopener noreferrer") in link[1]


def test_render_inline_strips_a_single_wrapping_paragraph():
    assert render_inline("Bật **xác thực** hai lớp", FILES_URL) == (
        "Bật <strong>xác thực</strong> hai lớp"
    )


def test_render_inline_keeps_several_paragraphs():
    assert render_inline("Câu hỏi.\n\nChọn tất cả.", FILES_URL) == (
        "<p>Câu hỏi.</p>\n<p>Chọn tất cả.</p>"
    )


def test_render_inline_rewrites_relative_images():
    assert f'src="{FILES_URL}/images/a.png"' in render_inline("![a](images/a.png)", FILES_URL)


def test_unknown_classes_are_dropped_and_known_ones_kept():
    html = sanitize_html(
        '<div class="admonition tip evil"><code class="language-js x">a</code>'
        '<span class="note big">b</span></div>'
    )

    assert html == (
        '<div class="admonition tip"><code class="language-js">a</code>'
        '<span class="note">b</span></div>'
    )


def test_html_removed_by_sanitiser_names_tags_and_attributes():
    removed = html_removed_by_sanitiser('<iframe src="x"></iframe><b onclick="x" class="y">')

    assert removed == [
        "the <iframe> tag",
        "the onclick attribute of <b>",
        "the class attribute of <b>",
    ]
    assert html_removed_by_sanitiser('<kbd>Ctrl</kbd> <img src="a.png" alt="a">') == []


# ---- hostile input ---------------------------------------------------------------------------

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "svg",
    "math",
    "link",
    "frame",
    "frameset",
    "applet",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "noscript",
    "template",
    "xmp",
    "plaintext",
    "title",
    "isindex",
    "video",
    "audio",
    "source",
    "marquee",
    "keygen",
    "body",
    "html",
    "head",
    "animate",
    "set",
    "foreignobject",
}
FORBIDDEN_ATTRIBUTES = {
    "style",
    "srcdoc",
    "formaction",
    "action",
    "xlink:href",
    "background",
    "dynsrc",
    "lowsrc",
    "data",
    "content",
    "http-equiv",
    "target",
    "srcset",
    "poster",
    "codebase",
}
SAFE_SCHEMES = {"http", "https", "mailto"}

XSS_PAYLOADS = [
    # script in its many forms
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/.j></SCRIPT>",
    "<script/xss src=x></script>",
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    '<script>document.write("<img src=x onerror=alert(1)>")</script>',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img/src/onerror=alert(1)>",
    "<img src=x onerror\t=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">x</div>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="https://example.org" onmouseover=alert(1)>x</a>',
    "<details open ontoggle=alert(1)>x</details>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<keygen autofocus onfocus=alert(1)>",
    "<frameset onload=alert(1)>",
    '<h2 id="x" onclick=alert(1)>x</h2>',
    '<div class="admonition" data-x="y" onclick=alert(1)>x</div>',
    '<code class="language-python" onclick=x>x</code>',
    # javascript: URLs in many spellings
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java\rscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java&#10;script:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    (
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
        '&#0000112&#0000116&#0000058alert(1)">x</a>'
    ),
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    "<a href=`javascript:alert(1)`>x</a>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)" id="x">x</a>',
    # data: and file: URLs
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="file:///etc/passwd">x</a>',
    # dangerous elements
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<img src="x" style="x:expression(alert(1))">',
    (
        '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">x</td>'
        "</tr></table>"
    ),
    "<isindex action=javascript:alert(1) type=image>",
    '<a href="https://example.org" target="_blank">x</a>',
    # svg and math
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<math href="javascript:alert(1)">click</math>',
    # mutation XSS: markup that reparses differently
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<p title="</p><img src=x onerror=alert(1)>">x</p>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<template><img src=x onerror=alert(1)></template>",
    "<style><img src=x onerror=alert(1)></style>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<a href="x" title="&lt;img src=x onerror=alert(1)&gt;">x</a>',
    # Markdown spellings
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html,abc)",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](java&#x09;script:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](vbscript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "```html\n<script>alert(1)</script>\n```",
    '!!! note "<img src=x onerror=alert(1)>"\n    body',
    "## <img src=x onerror=alert(1)> heading",
]


def assert_safe_url(url: str) -> None:
    # Browsers drop control characters and spaces before and inside a scheme.
    compact = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", compact)
    assert scheme is None or scheme.group(1) in SAFE_SCHEMES, url


def assert_safe(html: str) -> None:
    parsed = elements(html)
    assert parsed.comments == []
    for tag, attributes in parsed.tags:
        assert tag in TEXT_TAGS and tag not in FORBIDDEN_TAGS, html
        for name, value in attributes:
            assert not name.startswith("on"), html
            assert name not in FORBIDDEN_ATTRIBUTES, html
            if name in ("href", "src"):
                assert_safe_url(value or "")
            if name == "class":
                assert all(
                    c in ADMONITION_CLASSES or c.startswith("language-")
                    for c in (value or "").split()
                ), html


def test_there_are_at_least_sixty_payloads():
    assert len(XSS_PAYLOADS) >= 60


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitize_html_neutralises(payload):
    assert_safe(sanitize_html(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_neutralises(payload):
    html, toc = render_markdown(payload, FILES_URL)

    assert_safe(html)
    assert_safe(toc)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_inline_neutralises(payload):
    assert_safe(render_inline(payload, FILES_URL))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitising_twice_changes_nothing(payload):
    once = sanitize_html(payload)

    assert sanitize_html(once) == once


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendered_html_is_already_sanitised(payload):
    html, toc = render_markdown(payload, FILES_URL)

    assert sanitize_html(html) == html
    assert sanitize_html(toc) == toc


def test_sanitising_is_deterministic():
    text = '<div class="tip admonition note tip">x</div><a href="https://a.vn" title="t">a</a>'

    expected = (
        '<div class="tip admonition note">x</div>'
        '<a href="https://a.vn" title="t" rel="noopener noreferrer">a</a>'
    )

    assert {sanitize_html(text) for _ in range(5)} == {expected}


def test_script_content_is_dropped_not_shown_as_text():
    assert sanitize_html("a<script>alert(1)</script>b<style>p{}</style>c") == "abc"
