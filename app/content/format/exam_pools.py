"""Question pools: 'draw' and a final exam's 'draw_from', checked across a course's modules. Pure.

The exam's Quiz keeps only its own questions; the loader resolves draw_from when it syncs."""

import difflib

from app.content.format.course_format import ModuleSpec
from app.content.format.module_files import ModuleRead
from app.problems import ProblemList


def _source_problem(name: str, module: ModuleSpec, known: dict[str, ModuleSpec]) -> str | None:
    """What is wrong with one module named by draw_from, or None."""
    if name == module.id:
        return f"'{name}' is this module; an exam draws from the other modules' quizzes"
    target = known.get(name)
    if target is None:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "check its id in the module's front matter"
        return f"there is no module '{name}' in this course; {hint}"
    if target.draw_from:
        return (
            f"'{name}' draws its questions from other modules itself; "
            "name the modules whose quizzes hold the questions"
        )
    if target.quiz is None or not target.quiz.questions:
        return f"module '{name}' has no quiz questions to draw from"
    return None


def _pooled_count(read: ModuleRead, known: dict[str, ModuleSpec], problems: ProblemList) -> int | None:
    """Own plus drawn-from questions; None when a draw_from entry is wrong."""
    module = read.spec
    assert module is not None and module.quiz is not None
    lines = read.text.mapping.item_lines("draw_from") if read.text and read.text.mapping else []
    if len(lines) != len(module.draw_from):
        lines = [read.key_lines["draw_from"]] * len(module.draw_from)  # a [a, b] list on one line
    count, seen, valid = len(module.quiz.questions), set(), True
    for name, line in zip(module.draw_from, lines, strict=True):
        if name in seen:
            problems.warning(module.path, line, f"'{name}' is named twice in draw_from")
            continue
        seen.add(name)
        message = _source_problem(name, module, known)
        if message:
            problems.error(module.path, line, message)
            valid = False
        else:
            count += len(known[name].quiz.questions)  # type: ignore[union-attr]
    return count if valid else None


def check_pools(reads: list[ModuleRead], problems: ProblemList) -> None:
    """Report draw_from entries that name no usable module, and draws larger than their pool."""
    known = {read.spec.id: read.spec for read in reads if read.spec}
    # With a module unreadable, ids and question counts are not all known: exams wait.
    complete = all(read.spec is not None for read in reads)
    for read in reads:
        module = read.spec
        if module is None or module.quiz is None or (module.draw_from and not complete):
            continue
        own = len(module.quiz.questions)
        pooled = _pooled_count(read, known, problems) if module.draw_from else own
        draw = module.quiz.draw
        if draw is None or pooled is None or draw <= pooled:
            continue
        detail = f" ({own} of its own, {pooled - own} from draw_from)" if module.draw_from else ""
        problems.error(
            module.path,
            read.key_lines["draw"],
            f"pool larger than its questions: draw: {draw} but only {pooled} questions{detail}",
        )
