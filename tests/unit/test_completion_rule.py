from app.progress.rules import CompletionRule, course_score


def test_complete_when_every_required_module_is_complete():
    rule = CompletionRule(frozenset({"a", "b"}))
    assert not rule.is_met([])
    assert not rule.is_met(["a"])
    assert rule.is_met(["a", "b"])
    assert rule.is_met(["a", "b", "optional"])


def test_remaining_lists_what_is_left():
    assert CompletionRule(frozenset({"a", "b"})).remaining(["a"]) == {"b"}


def test_a_course_without_required_modules_is_never_complete():
    assert not CompletionRule(frozenset()).is_met(["a"])


def test_course_score_is_mean_of_quiz_scores():
    assert course_score({"a": 100, "b": 67}) == 84
    assert course_score({"a": 90, "reading": None}) == 90
    assert course_score({}) is None
