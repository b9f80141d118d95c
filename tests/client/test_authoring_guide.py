"""The module format guide inside the app, and the editor's hints and layout (issue 14 items 9, 11)."""

import re

EDITOR = "/authoring/courses/khoa-mau/modules/gioi-thieu"


def test_the_guide_is_in_vietnamese_with_its_examples_as_code(editor):
    page = editor.get("/authoring/guide").get_data(as_text=True)

    assert "<h1>Cách viết một bài học</h1>" in page
    assert "Mã (id) không bao giờ đổi" in page and '<details class="toc">' in page
    assert "<code>&lt;!-- quiz --&gt;</code>" in page
    assert "{#q-nam-ban-hanh}" in page and "courses/README.md" not in page


def test_the_guide_follows_the_interface_language(editor):
    editor.post("/language", data={"language": "en"})

    page = editor.get("/authoring/guide").get_data(as_text=True)

    assert "<h1>How to write a module</h1>" in page and "Ids never change" in page


def test_learners_may_not_read_the_guide(client, auth, make_user):
    make_user(username="hoc_vien")
    auth.login("hoc_vien")

    assert client.get("/authoring/guide").status_code == 403


def test_the_editor_hint_shows_the_quiz_marker_and_links_the_guide(editor):
    page = editor.get(EDITOR).get_data(as_text=True)
    hint = re.search(r'<p class="hint">Toàn bộ tệp.*?</p>', page, re.DOTALL).group(0)

    assert "sau dòng <code>&lt;!-- quiz --&gt;</code>." in hint
    assert '<a href="/authoring/guide">Cách viết một bài học</a>' in hint
    assert '<a href="/authoring/guide">' in editor.get("/authoring/").get_data(as_text=True)


def test_the_preview_follows_the_editor_and_a_link_leads_to_it(editor):
    page = editor.get(EDITOR).get_data(as_text=True)
    assert '<main id="main">' in page and 'href="#preview-title"' not in page
    form = {name: value for name, value in re.findall(
        r'<input[^>]*name="(base_hash|live_revision|draft)"[^>]*value="([^"]*)"', page)}
    text = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.DOTALL).group(1)

    preview = editor.post(EDITOR, data={**form, "source": unescape(text), "action": "preview"})
    page = preview.get_data(as_text=True)

    assert '<main id="main" class="wide">' in page
    assert page.index('<a href="#preview-title">Đến phần xem trước</a>') < page.index('<div class="editing">')
    assert page.index('<div class="editing">') < page.index('<form method="post" class="editor"') \
        < page.index('<section class="preview"')


def unescape(html: str) -> str:
    return (html.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))
