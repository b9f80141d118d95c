"""Browser edits without HTTP: overlay rules, git wins, publishing, restoring."""

import hashlib

import pytest
import sqlalchemy as sa

from app.authoring import services
from app.authoring.models import CourseAsset, ModuleRevision, RevisionState
from app.authoring.overlay import materialised_root, sync_courses_with_edits
from app.content.services import CourseContentError
from app.extensions import db
from tests import builders
from tests.conftest import audit_events, row_count

READING = "02-doc-them.md"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
    "6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


@pytest.fixture
def author(make_user):
    return make_user(role="instructor", username="tac_gia")


def course():
    return builders.course()


def disk(courses_dir, name=READING) -> str:
    return (courses_dir / "khoa-mau" / name).read_text(encoding="utf-8")


def draft(source: str, path: str = READING, **fields) -> services.Draft:
    start = services.editing_start(course(), path)
    return services.Draft(course(), path, source, start.base_hash, start.live_revision_id, **fields)


def publish(source: str, author, path: str = READING, **fields) -> ModuleRevision:
    revision, _ = services.publish(draft(source, path, **fields), author)
    db.session.commit()
    return revision


def test_publishing_keeps_the_revision_loads_the_course_and_leaves_the_folder_alone(courses_dir, author):
    before = disk(courses_dir)
    revision = publish(before.replace("Chính quyền số", "Chính quyền số mới"), author, note="tiêu đề")
    assert revision.state == RevisionState.PUBLISHED and revision.author_id == author.id
    assert revision.base_hash == hashlib.sha256(before.encode()).hexdigest()
    assert "Chính quyền số mới" in builders.module("doc-them").html
    assert disk(courses_dir) == before  # the folder from git is never written
    assert [e.target for e in audit_events("module.published")] == ["khoa-mau/02-doc-them.md"]


def test_sync_applies_published_revisions_over_the_folder(courses_dir, author):
    publish(disk(courses_dir).replace("Bài đọc", "Bài đọc đã sửa"), author)
    builders.module("doc-them").html = "<p>stale</p>"  # as if loaded from the folder alone
    sync_courses_with_edits(courses_dir)
    db.session.commit()
    assert "Bài đọc đã sửa" in builders.module("doc-them").html


def test_git_wins_when_the_file_changed_after_editing_began(courses_dir, author):
    revision = publish(disk(courses_dir).replace("Bài đọc", "Sửa trên web"), author)
    file = courses_dir / "khoa-mau" / READING
    file.write_text(disk(courses_dir).replace("Bài đọc", "Sửa trong git"), encoding="utf-8")
    sync_courses_with_edits(courses_dir)
    db.session.commit()
    html = builders.module("doc-them").html
    assert "Sửa trong git" in html and "Sửa trên web" not in html
    assert db.session.get(ModuleRevision, revision.id).state == RevisionState.SUPERSEDED
    superseded = audit_events("module.revision_superseded")
    assert len(superseded) == 1 and superseded[0].details["revision"] == revision.id


def test_uploaded_images_are_part_of_the_materialised_folder(courses_dir, author):
    db.session.add(CourseAsset(course_id=course().id, path="images/so-do.png", data=PNG,
                               content_type="image/png", sha256=hashlib.sha256(PNG).hexdigest()))
    db.session.commit()
    publish(disk(courses_dir) + "\n![Sơ đồ](images/so-do.png)\n", author)
    sync_courses_with_edits(courses_dir)  # the link checker finds the image: no "file was not found" error
    assert "/courses/khoa-mau/files/images/so-do.png" in builders.module("doc-them").html
    assert not (courses_dir / "khoa-mau" / "images").exists()


def test_without_browser_edits_the_folder_is_read_in_place(app, courses_dir):
    with materialised_root(courses_dir) as root:
        assert root == courses_dir


def test_a_missing_image_makes_sync_fail_like_a_folder_from_git(courses_dir, author):
    publish(disk(courses_dir), author)
    revision = db.session.scalars(sa.select(ModuleRevision)).one()
    revision.source += "\n![Sơ đồ](images/khong-co.png)\n"
    db.session.commit()
    with pytest.raises(CourseContentError, match="images/khong-co.png"):
        sync_courses_with_edits(courses_dir)


def test_publish_refuses_a_draft_with_errors_and_writes_nothing(courses_dir, author):
    html_before = builders.module("gioi-thieu").html
    broken = disk(courses_dir, "01-gioi-thieu.md").replace("- (x) 2022", "- ( ) 2022")
    with pytest.raises(services.PublishRefused) as refused:
        services.publish(draft(broken, "01-gioi-thieu.md"), author)
    db.session.rollback()
    assert refused.value.reason == "errors"
    assert any(p.path == "khoa-mau/01-gioi-thieu.md" and p.line > 1 for p in refused.value.check.errors)
    assert row_count(ModuleRevision) == 0 and audit_events("module.published") == []
    assert builders.module("gioi-thieu").html == html_before


def test_publish_refuses_when_git_changed_the_file_since_editing_began(courses_dir, author):
    stale = draft(disk(courses_dir).replace("Bài đọc", "Bản cũ"))
    (courses_dir / "khoa-mau" / READING).write_text(disk(courses_dir) + "\nThêm.\n", encoding="utf-8")
    with pytest.raises(services.PublishRefused, match="file_changed"):
        services.publish(stale, author)
    assert row_count(ModuleRevision) == 0


def test_publish_refuses_when_someone_published_since_editing_began(courses_dir, author, make_user):
    mine = draft(disk(courses_dir).replace("Bài đọc", "Của tôi"))
    publish(disk(courses_dir).replace("Bài đọc", "Của người khác"), make_user(role="admin"))
    with pytest.raises(services.PublishRefused, match="published_meanwhile"):
        services.publish(mine, author)


def test_a_new_publication_supersedes_the_previous_one(courses_dir, author):
    first = publish(disk(courses_dir).replace("Bài đọc", "Lần một"), author)
    second = publish(services.editing_start(course(), READING).source.replace("Lần một", "Lần hai"), author)
    assert db.session.get(ModuleRevision, first.id).state == RevisionState.SUPERSEDED
    assert services.shown_revision(course(), READING).id == second.id
    assert "Lần hai" in builders.module("doc-them").html


def test_restore_makes_a_draft_of_the_old_source_which_publishing_makes_live(courses_dir, author):
    first = publish(disk(courses_dir).replace("Bài đọc", "Lần một"), author)
    publish(services.editing_start(course(), READING).source.replace("Lần một", "Lần hai"), author)
    restored = services.restore(course(), READING, first, author)
    db.session.commit()
    assert (restored.state, restored.source, restored.restored_from_id) == ("draft", first.source, first.id)
    assert "Lần hai" in builders.module("doc-them").html  # a draft changes nothing yet
    start = services.editing_start(course(), READING, restored)
    publish(start.source, author, draft_id=restored.id)
    assert db.session.get(ModuleRevision, restored.id).state == RevisionState.PUBLISHED
    assert "Lần một" in builders.module("doc-them").html
    assert row_count(ModuleRevision) == 3


def test_a_new_module_is_published_from_the_template(courses_dir, author):
    path, source = services.new_module_start(course())
    assert path == "04-bai-moi.md" and "id: bai-moi" in source and "order: 4" in source
    publish(source, author, path=path, is_new=True)
    module = builders.module("bai-moi")
    assert module is not None and module.has_quiz and module.position == 4
    with pytest.raises(services.PublishRefused, match="exists"):
        services.publish(draft(source, path, is_new=True), author)


def test_changing_a_module_id_warns_about_learners_records(client, auth, make_user, courses_dir, author):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    client.post("/courses/khoa-mau/modules/doc-them/read")
    check = services.check_draft(course(), READING, disk(courses_dir).replace("id: doc-them", "id: doc-moi"))
    assert check.course_spec is not None
    assert any("is gone or its id changed" in p.message for p in check.problems)
