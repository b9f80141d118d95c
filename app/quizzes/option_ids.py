"""Per-attempt option ids: what a learner's form sends instead of the author's option indexes.

"Pick value 1" would pass between learners however the options are shuffled; a random id
drawn for each option of each attempt means nothing in anyone else's form. The grader sees
option indexes again: submitted ids are mapped back, and ids this attempt never showed are
dropped. Pure: no Flask, no database.
"""

import secrets
from collections.abc import Mapping, Sequence

ID_BYTES = 6  # 8 URL-safe characters; unique per question, unguessable across attempts


def new_option_ids(option_order: Mapping[str, Sequence[int]]) -> dict[str, list[str]]:
    """A fresh random id for each shown option, parallel to option_order."""
    ids: dict[str, list[str]] = {}
    for question_id, order in option_order.items():
        drawn: list[str] = []
        while len(drawn) < len(order):
            candidate = secrets.token_urlsafe(ID_BYTES)
            if candidate not in drawn:
                drawn.append(candidate)
        ids[question_id] = drawn
    return ids


def shown_values(option_ids: Mapping[str, Sequence[str]] | None, question_id: str,
                 order: Sequence[int]) -> list[str]:
    """The form value of each option in shown order: its id, or its index for an old attempt."""
    if option_ids is None:
        return [str(index) for index in order]
    return list(option_ids.get(question_id, ()))


def to_indexes(
    option_ids: Mapping[str, Sequence[str]] | None,
    option_order: Mapping[str, Sequence[int]],
    answers: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """Submitted values with option ids replaced by the indexes the grader knows.

    Typed answers (questions without ids) pass unchanged; an unknown id is dropped. An
    attempt without ids (started before they existed) sent indexes and keeps them."""
    if option_ids is None:
        return {key: list(values) for key, values in answers.items()}
    mapped: dict[str, list[str]] = {}
    for question_id, values in answers.items():
        ids = option_ids.get(question_id)
        if not ids:
            mapped[question_id] = list(values)
            continue
        index_of = dict(zip(ids, option_order.get(question_id, ()), strict=False))
        mapped[question_id] = [str(index_of[value]) for value in values if value in index_of]
    return mapped
