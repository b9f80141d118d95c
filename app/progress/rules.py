"""The course completion rule. Pure: no Flask, no database."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CompletionRule:
    """A course is complete when every required module is complete and every live session
    that requires attendance was attended; a required session counts like a module."""

    required_module_ids: frozenset[str]
    required_session_ids: frozenset[int] = frozenset()

    def is_met(self, completed_module_ids: Collection[str],
               attended_session_ids: Collection[int] = ()) -> bool:
        if not (self.required_module_ids or self.required_session_ids):
            return False
        return (self.required_module_ids <= set(completed_module_ids)
                and self.required_session_ids <= set(attended_session_ids))

    def remaining(self, completed_module_ids: Collection[str]) -> frozenset[str]:
        return self.required_module_ids - set(completed_module_ids)

    def sessions_remaining(self, attended_session_ids: Collection[int]) -> frozenset[int]:
        return self.required_session_ids - set(attended_session_ids)

    def with_sessions(self, required_session_ids: Collection[int]) -> "CompletionRule":
        return CompletionRule(self.required_module_ids, frozenset(required_session_ids))


def course_score(best_scores: Mapping[str, int | None]) -> int | None:
    """Mean of the best quiz scores of the modules that have a quiz; None when none do."""
    scores = [s for s in best_scores.values() if s is not None]
    if not scores:
        return None
    return round(sum(scores) / len(scores))
