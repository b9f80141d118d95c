"""The editor through HTTP: preview as learners see it, validation at file:line, publish, restore."""

import re

import pytest
import sqlalchemy as sa

from app.authoring.models import ModuleRevision
from app.extensions import db
from tests import builders
from tests.conftest import row_count
from tests.security.vectors import app_route_check, executable_vectors

EDITOR = "/authoring/courses/khoa-mau/modules/{}"


def form_of(page: str) -> dict:
    """The editor's fields as the browser would send them back."""
    fields = dict(re.findall(r'<input[^>]*name="(base_hash|live_revision|draft)"[^>]*value="([^"]*)"', page))
    source = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.DOTALL)
    return {**fields, "source": source.group(1).replace("&lt;", "<").replace("&gt;", ">")
            .replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")}


def opened(client, module: str) -> dict:
    return form_of(client.get(EDITOR.format(module)).get_data(as_text=True))


def section(page: str, name: str) -> str:
    match = re.search(rf'<section class="{name}".*?</section>', page, re.DOTALL)
    return match.group(0) if match else ""


def test_the_editor_opens_with_the_whole_file(editor, courses_dir):
    form = opened(editor, "gioi-thieu")
    on_disk = (courses_dir / "khoa-mau" / "01-gioi-thieu.md").read_text(encoding="utf-8")
    assert form["source"] == on_disk
    assert len(form["base_hash"]) == 64 and form["live_revision"] == ""


def test_preview_shows_the_reading_and_every_question_as_learners_see_them(editor):
    form = opened(editor, "gioi-thieu")
    form["source"] = form["source"].replace("Chuyển đổi số là", "Bản nháp: chuyển đổi số là")
    page = editor.post(EDITOR.format("gioi-thieu"), data={**form, "action": "preview"}).get_data(as_text=True)
    preview = section(page, "preview")
    assert "Bản nháp: chuyển đổi số" in preview
    assert '<article class="prose">' in preview and '<table>' in preview
    assert preview.count('<fieldset class="question"') == 3
    assert 'type="checkbox"' in preview and "Bật xác thực hai lớp" in preview
    assert "CANARY-EXPLANATION" not in preview  # explanations come after submission, as for learners
    assert "Bản nháp" not in builders.module("gioi-thieu").html and row_count(ModuleRevision) == 0


def test_script_and_event_handlers_in_a_draft_never_reach_the_preview(app, editor):
    form = opened(editor, "gioi-thieu")
    hostile = ('<script>alert("body")</script>\n\n<img src="x.png" onerror="alert(1)">\n\n'
               '<a href="javascript:alert(2)">link</a>\n\n')
    form["source"] = form["source"].replace("## Chuyển đổi số là gì?", hostile + "## Chuyển đổi số là gì?")
    form["source"] = form["source"].replace("- ( ) 2020", '- ( ) 2020 <img src=x onerror="alert(3)">')
    response = editor.post(EDITOR.format("gioi-thieu"), data={**form, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and section(page, "preview")
    assert executable_vectors(page, app_route_check(app)) == []
    assert "onerror" not in section(page, "preview") and "alert" not in section(page, "preview")


def test_validation_lists_every_problem_at_file_and_line(editor):
    form = opened(editor, "gioi-thieu")
    form["source"] = form["source"].replace("- (x) 2022", "- ( ) 2022").replace("minutes: 5", "minutes: năm")
    response = editor.post(EDITOR.format("gioi-thieu"), data={**form, "action": "validate"})
    page = response.get_data(as_text=True)
    problems = re.findall(r"<code>(khoa-mau/01-gioi-thieu\.md:\d+)</code>", section(page, "check"))
    assert "khoa-mau/01-gioi-thieu.md:5" in problems and len(problems) >= 2
    assert section(page, "preview") == ""


def test_a_valid_draft_validates_clean(editor):
    form = opened(editor, "doc-them")
    page = editor.post(EDITOR.format("doc-them"), data={**form, "action": "validate"}).get_data(as_text=True)
    assert 'class="flash flash-success"' in section(page, "check")


def test_publishing_an_invalid_draft_is_refused_with_its_errors(editor):
    form = opened(editor, "gioi-thieu")
    form["source"] = form["source"].replace("{#q-nam}", "")
    response = editor.post(EDITOR.format("gioi-thieu"), data={**form, "action": "publish"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "flash-error" in page
    assert "question has no id" in section(page, "check")
    assert row_count(ModuleRevision) == 0


def test_published_changes_reach_learners(editor, client, auth, make_user):
    form = opened(editor, "doc-them")
    form["source"] = form["source"].replace("Bài đọc không có câu hỏi", "Bài đọc đã cập nhật")
    response = editor.post(EDITOR.format("doc-them"), data={**form, "note": "cập nhật", "action": "publish"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/authoring/courses/khoa-mau")
    auth.logout()
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    assert "Bài đọc đã cập nhật" in client.get("/courses/khoa-mau/modules/doc-them").get_data(as_text=True)


def test_publishing_from_a_stale_editor_is_refused(editor):
    stale = opened(editor, "doc-them")
    fresh = opened(editor, "doc-them")
    editor.post(EDITOR.format("doc-them"), data={**fresh, "action": "publish"})
    stale["source"] += "\nMuộn.\n"
    page = editor.post(EDITOR.format("doc-them"), data={**stale, "action": "publish"}).get_data(as_text=True)
    assert "flash-error" in page and "Muộn." in page  # the text is kept for the instructor
    assert row_count(ModuleRevision) == 1


def test_history_and_restore_bring_an_old_text_back(editor):
    for text in ("Lần một", "Lần hai"):
        form = opened(editor, "doc-them")
        form["source"] = re.sub(r"Bài đọc[^\n]*|Lần \w+", text, form["source"], count=1)
        editor.post(EDITOR.format("doc-them"), data={**form, "action": "publish"})
    first = db.session.scalars(sa.select(ModuleRevision).order_by(ModuleRevision.id)).first()
    history = editor.get(EDITOR.format("doc-them") + "/history").get_data(as_text=True)
    assert history.count("<tr>") == 3  # header and two revisions
    response = editor.post(EDITOR.format("doc-them") + "/restore", data={"revision_id": first.id})
    assert response.status_code == 302 and "?revision=" in response.headers["Location"]
    form = form_of(editor.get(response.headers["Location"]).get_data(as_text=True))
    assert "Lần một" in form["source"] and form["draft"]
    editor.post(EDITOR.format("doc-them"), data={**form, "action": "publish"})
    assert "Lần một" in builders.module("doc-them").html
    assert row_count(ModuleRevision) == 3


def test_a_new_module_starts_from_the_template_and_is_published(editor):
    page = editor.get("/authoring/courses/khoa-mau/new-module").get_data(as_text=True)
    file_name = re.search(r'name="file_name"[^>]*value="([^"]+)"', page).group(1)
    form = {**form_of(page), "file_name": file_name, "action": "publish"}
    form["source"] = form["source"].replace("title: Bài học mới", "title: Bài học về dữ liệu")
    response = editor.post("/authoring/courses/khoa-mau/new-module", data=form)
    assert response.status_code == 302
    assert builders.module("bai-moi").title == "Bài học về dữ liệu"
    assert editor.get(EDITOR.format("bai-moi")).status_code == 200


@pytest.mark.parametrize("file_name", ["../course.yml", "readme.md", "01-gioi-thieu.en.md", "images/a.md"])
def test_a_new_module_needs_a_plain_file_name(editor, file_name):
    page = editor.get("/authoring/courses/khoa-mau/new-module").get_data(as_text=True)
    form = {**form_of(page), "file_name": file_name, "action": "publish"}
    response = editor.post("/authoring/courses/khoa-mau/new-module", data=form)
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert row_count(ModuleRevision) == 0


def test_question_statistics_show_the_most_chosen_wrong_option(editor, client, auth, make_user):
    auth.logout()
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct=False, token=token))
    auth.logout()
    auth.login("giang_vien")
    page = client.get("/authoring/courses/khoa-mau/statistics").get_data(as_text=True)
    assert "Quyết định 146/QĐ-TTg được ban hành năm nào?" in page
    assert "2020 (1)" in page and "0%" in page
