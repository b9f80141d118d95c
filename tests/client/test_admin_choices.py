"""Issue 14 items 13-15: units and intakes picked by name, namesakes told apart, the intake target."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.enrolment.services import create_intake
from app.extensions import db
from app.intakes.models import Intake
from app.progress.models import Enrolment
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.client.test_certificates_admin import ADMIN_BASE, certify


@pytest.fixture
def units(app) -> dict[str, Unit]:
    """Two provinces, each with a commune called Xã Tân Phú (namesakes are common)."""
    lao_cai = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    dong_nai = Unit(code="DN", name="Tỉnh Đồng Nai", level=UnitLevel.PROVINCE)
    made = [lao_cai, dong_nai,
            Unit(code="LC-TP", name="Xã Tân Phú", level=UnitLevel.COMMUNE, parent=lao_cai),
            Unit(code="DN-TP", name="Xã Tân Phú", level=UnitLevel.COMMUNE, parent=dong_nai),
            Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=lao_cai)]
    db.session.add_all(made)
    db.session.commit()
    return {u.code: u for u in made}


def found(client, **args) -> str:
    response = client.get(ADMIN_BASE, query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_certificate_search_takes_a_unit_by_name_or_option_and_explains_namesakes(client, units, admin):
    an = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    binh = certify("hv-binh", "Trần Thị Bình", units["DN-TP"])
    page = found(client)
    assert '<option value="Xã Tả Van (LC-TV)">' in page
    assert '<option value="Xã Tân Phú (DN-TP)" label="Tỉnh Đồng Nai">' in page
    assert an.display_code in found(client, unit="xã tả  van")
    assert binh.display_code not in found(client, unit="Xã Tả Van")
    assert binh.display_code in found(client, unit="Xã Tân Phú (DN-TP)")
    ambiguous = found(client, unit="Xã Tân Phú")
    assert "Có nhiều mục trùng với “Xã Tân Phú”: Xã Tân Phú (DN-TP), Xã Tân Phú (LC-TP)" in ambiguous
    assert 'aria-invalid="true"' in ambiguous and binh.display_code not in ambiguous
    assert "Không tìm thấy “Xã Không Có”" in found(client, unit="Xã Không Có")


def test_search_results_tell_namesakes_apart_with_account_unit_and_a_vietnamese_date(client, units, admin):
    first = certify("hv-an-1", "Nguyễn Văn An", units["LC-TV"])
    certify("hv-an-2", "Nguyễn Văn An", units["DN-TP"])
    first.user.phone = "0912345678"
    first.issued_at = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
    db.session.commit()
    page = found(client, q="Nguyễn Văn An")
    assert "hv-an-1<br>0912345678" in page and "hv-an-2" in page
    assert "Xã Tả Van" in page and "Xã Tân Phú" in page
    assert re.search(r"<td[^>]*>01/07/2025</td>", page)  # a cell, labelled for phones


def test_search_results_in_english_keep_the_english_date(client, auth, units, make_user):
    certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    db.session.execute(sa.update(Certificate).values(issued_at=datetime(2025, 7, 1, 3, 0, tzinfo=UTC)))
    admin = make_user(role="admin", username="quantri")
    admin.locale = "en"
    db.session.commit()
    auth.login("quantri")
    assert re.search(r"<td[^>]*>Jul 1, 2025</td>", found(client))


def test_print_form_takes_unit_and_intake_by_name_and_explains_what_it_cannot_tell(client, units, admin):
    certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    create_intake(builders.course(), "dot-1", "Đợt 1 năm 2025")
    db.session.commit()
    form = client.get(f"{ADMIN_BASE}/print").get_data(as_text=True)
    assert 'list="unit-choices"' in form and '<option value="Đợt 1 năm 2025 (dot-1)" label=' in form
    response = client.post(f"{ADMIN_BASE}/print", data={"course": "khoa-mau", "unit": "Xã Tân Phú",
                                                        "intake": "Đợt 9", "output": "pdf"})
    page = response.get_data(as_text=True)
    assert "Có nhiều mục trùng với “Xã Tân Phú”" in page and "Không tìm thấy “Đợt 9”" in page
    response = client.post(f"{ADMIN_BASE}/print", data={"course": "khoa-mau", "unit": "Tỉnh Lào Cai (LC)",
                                                        "intake": "", "output": "pdf"})
    assert response.status_code == 302 and "/print/" in response.headers["Location"]
    params = db.session.scalar(sa.select(AuditEvent).filter_by(event="certificates.print_requested")).details
    assert params["unit"] == "LC" and params["intake"] is None


def test_print_form_accepts_the_codes_a_report_link_passes(client, units, admin):
    certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    create_intake(builders.course(), "dot-1", "Đợt 1 năm 2025")
    db.session.commit()
    response = client.post(f"{ADMIN_BASE}/print", data={"course": "khoa-mau", "unit": "LC-TV",
                                                        "intake": "dot-1", "output": "pdf"})
    assert "Không có giấy chứng nhận hợp lệ" in response.get_data(as_text=True)  # no choice error


def test_enrol_a_unit_picked_by_name(client, units, admin, make_user):
    intake = create_intake(builders.course(), "dot-1", "Đợt 1")
    lan = make_user(username="lan")
    lan.unit = units["LC-TV"]
    db.session.commit()
    page = client.get(f"/admin/intakes/{intake.id}").get_data(as_text=True)
    assert 'list="unit-choices"' in page and '<option value="Xã Tả Van (LC-TV)">' in page
    response = client.post(f"/admin/intakes/{intake.id}/enrol", data={"unit": "Xã Tân Phú"})
    assert response.status_code == 400 and "Có nhiều mục trùng với" in response.get_data(as_text=True)
    assert client.post(f"/admin/intakes/{intake.id}/enrol", data={"unit": "Xã Tả Van"}).status_code == 302
    assert db.session.scalar(sa.select(Enrolment.user_id).filter_by(intake_id=intake.id)) == lan.id


def test_report_filter_takes_a_unit_by_name(client, units, admin):
    create_intake(builders.course(), "dot-1", "Đợt 1")
    db.session.commit()
    page = client.get("/admin/reports/courses/khoa-mau", query_string={"unit": "tỉnh lào cai"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="Tỉnh Lào Cai (LC)"' in text
    assert "Tính theo đơn vị hành chính tại ngày" in text and "trước sáp nhập" in text


def test_an_intake_target_is_set_on_create_and_edit_and_checked(client, units, admin):
    response = client.post("/admin/intakes", data={"course": "khoa-mau", "code": "dot-1",
                                                   "name": "Đợt 1", "target": "450"})
    intake = db.session.scalar(sa.select(Intake))
    assert response.status_code == 302 and intake.target == 450
    response = client.post(f"/admin/intakes/{intake.id}/edit", data={"name": "Đợt 1 năm 2025", "target": ""})
    assert response.status_code == 302
    intake = db.session.get(Intake, intake.id)
    assert intake.name == "Đợt 1 năm 2025" and intake.target is None
    for bad in ("0", "nhiều", "-3"):
        response = client.post(f"/admin/intakes/{intake.id}/edit", data={"name": "Đợt 1", "target": bad})
        assert response.status_code == 400
        assert "Nhập một số nguyên từ 1 trở lên." in response.get_data(as_text=True)
    assert db.session.get(Intake, intake.id).target is None
    updated = db.session.scalar(sa.select(AuditEvent).filter_by(event="intake.updated"))
    assert updated.details["learner_target"] is None


def test_the_funnel_says_the_target_and_completion_against_it(client, units, admin, make_user):
    intake = create_intake(builders.course(), "dot-1", "Đợt 1")
    for name in ("lan", "hoa"):
        user = make_user(username=name)
        db.session.add(Enrolment(user_id=user.id, course_id=intake.course_id, intake_id=intake.id))
    db.session.commit()
    page = client.get("/admin/reports/courses/khoa-mau?intake=dot-1").get_data(as_text=True)
    assert "<dt>Chỉ tiêu</dt><dd>2 (chưa đặt: bằng số học viên đã ghi danh)</dd>" in page
    assert "<dt>Hoàn thành / chỉ tiêu</dt><dd>0/2 — 0,0%</dd>" in page
    intake.target = 8
    db.session.commit()
    page = client.get("/admin/reports/courses/khoa-mau?intake=dot-1").get_data(as_text=True)
    assert "<dt>Chỉ tiêu</dt><dd>8 (đặt cho đợt học)</dd>" in page
    assert "<dt>Hoàn thành / chỉ tiêu</dt><dd>0/8 — 0,0%</dd>" in page
    everything = client.get("/admin/reports/courses/khoa-mau").get_data(as_text=True)
    assert "<dt>Chỉ tiêu</dt><dd>8 (đặt cho đợt học)</dd>" in everything
    csv = client.get("/admin/reports/courses/khoa-mau/funnel.csv?intake=dot-1").get_data(as_text=True)
    assert '"Chỉ tiêu","8 (đặt cho đợt học)"' in csv


def test_a_unit_moves_under_a_parent_picked_by_name(client, units, admin):
    district = Unit(code="LC-H1", name="Huyện Bát Xát", level=UnitLevel.DISTRICT, parent=units["LC"])
    db.session.add(district)
    db.session.commit()
    page = client.get(f"/admin/units/{units['LC-TV'].id}").get_data(as_text=True)
    assert 'list="unit-choices"' in page and '<option value="Huyện Bát Xát (LC-H1)">' in page
    response = client.post(f"/admin/units/{units['LC-TV'].id}/move", data={"parent_code": "Huyện Bát Xát"})
    assert response.status_code == 302
    assert db.session.get(Unit, units["LC-TV"].id).parent_id == district.id
