"""What a learner sees after an attempt, set per quiz with 'review:' in the front matter. Pure.

As Moodle's review options: besides the score (always shown), an attempt may show which
questions were wrong, the correct answers, and the explanations (with each chosen option's
feedback), set separately for a failed and a passed attempt:

    review:
      failed: [wrong, explanations]
      passed: all

The defaults keep a retry honest: a failed attempt shows which questions were wrong and the
explanations, never the key; a passed attempt shows everything.
"""

import difflib
from typing import Any

from app.content.format.front_matter import Mapping, show
from app.problems import FileReport

ITEMS = ("wrong", "answers", "explanations")
SCORE_ONLY, EVERYTHING = "score", "all"
OUTCOMES = ("failed", "passed")
DEFAULT_REVIEW: dict[str, tuple[str, ...]] = {
    "failed": ("wrong", "explanations"),
    "passed": ITEMS,
}
EXAMPLE = "such as 'failed: [wrong, explanations]'"


def _items(value: Any) -> list[str] | None:
    """The items a value names ('all', 'score', one item or a list of them); None if invalid."""
    if value == EVERYTHING:
        return list(ITEMS)
    if value == SCORE_ONLY:
        return []
    words = value if isinstance(value, list) else [value]
    if all(isinstance(word, str) and word in ITEMS for word in words):
        return [item for item in ITEMS if item in words]
    return None


def _item_problem(value: Any) -> str:
    words = value if isinstance(value, list) else [value]
    wrong = next((w for w in words if not (isinstance(w, str) and w in ITEMS)), value)
    known = (*ITEMS, SCORE_ONLY, EVERYTHING)
    close = difflib.get_close_matches(str(wrong), known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (f"names {show(wrong)}; write 'score' (the score only), 'all', or a list of "
            f"{', '.join(ITEMS)}{hint}")


def check_review(mapping: Mapping, report: FileReport) -> bool:
    """Report a bad 'review:' setting at its line; True when it is absent or valid."""
    if "review" not in mapping.values:
        return True
    nested = mapping.nested("review", report)
    if nested is None:
        got = show(mapping.values["review"])
        report.error(mapping.lines["review"],
                     f"'review' must be 'failed:' and 'passed:' lines, {EXAMPLE} (got {got})")
        return False
    valid = True
    for outcome, line in nested.lines.items():
        if outcome not in OUTCOMES:
            close = difflib.get_close_matches(outcome, OUTCOMES, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else "write 'failed:' or 'passed:'"
            report.error(line, f"'review' has no setting '{outcome}'; {hint}")
            valid = False
        elif _items(nested.values[outcome]) is None:
            report.error(line, f"'review' '{outcome}' {_item_problem(nested.values[outcome])}")
            valid = False
    return valid


def parse_review(value: Any) -> dict[str, list[str]] | None:
    """The checked 'review:' value as stored with the quiz; None when it is not written."""
    if not isinstance(value, dict):
        return None
    return {outcome: _items(value[outcome]) or [] for outcome in OUTCOMES if outcome in value}


def review_items(review: dict[str, list[str]] | None, passed: bool) -> frozenset[str]:
    """What an attempt with this outcome shows; showing the answers shows what was wrong too."""
    outcome = "passed" if passed else "failed"
    chosen = set((review or {}).get(outcome, DEFAULT_REVIEW[outcome]))
    if "answers" in chosen:
        chosen.add("wrong")
    return frozenset(chosen)
