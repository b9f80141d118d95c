"""The course completion rule. Pure: no Flask, no database."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CompletionRule:
    """A course's modules are done when every required module is complete. Live sessions that
    require attendance hold the completion back on their own, through the
    course_completion_pending signal (app/live_sessions/requirements.py), since progress may not
    import the packages built on it."""

    required_module_ids: frozenset[str]

    def is_met(self, completed_module_ids: Collection[str]) -> bool:
        return bool(self.required_module_ids) and self.required_module_ids <= set(completed_module_ids)

    def remaining(self, completed_module_ids: Collection[str]) -> frozenset[str]:
        return self.required_module_ids - set(completed_module_ids)


def course_score(best_scores: Mapping[str, int | None]) -> int | None:
    """Mean of the best quiz scores of the modules that have a quiz; None when none do."""
    scores = [s for s in best_scores.values() if s is not None]
    if not scores:
        return None
    return round(sum(scores) / len(scores))
