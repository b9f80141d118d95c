"""Issue 15: a province's login slips render in parts that end where a page ends anyway."""

from app.enrolment.login_slips import SLIPS_PER_PAGE, LoginSlip, page_count, slip_parts


def slips(groups: dict[str, int]) -> list[LoginSlip]:
    return [LoginSlip(group, f"Người {n}", group, "", f"{group}-{n}", "x") for group, count in groups.items()
            for n in range(count)]


def test_parts_keep_every_slip_in_order_within_the_size():
    every = slips({"Xã A": 30, "Xã B": 500, "Xã C": 3, "Xã D": 17})
    parts = slip_parts(every, size=100)
    assert [slip for part in parts for slip in part] == every
    assert all(len(part) <= 100 for part in parts)


def test_a_cut_inside_a_group_falls_after_a_full_page():
    parts = slip_parts(slips({"Xã B": 250}), size=100)
    assert [len(part) for part in parts] == [96, 96, 58]
    assert all(len(part) % SLIPS_PER_PAGE == 0 for part in parts[:-1])


def test_the_parts_fill_the_same_pages_as_one_document():
    every = slips({"Xã A": 30, "Xã B": 500, "Xã C": 3, "Xã D": 17})
    assert sum(page_count(part) for part in slip_parts(every, size=100)) == page_count(every)


def test_a_small_list_is_one_part():
    assert len(slip_parts(slips({"Xã A": 40}))) == 1
