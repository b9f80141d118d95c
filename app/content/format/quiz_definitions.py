"""From parsed modules to the quiz definitions stored per version. Pure: no Flask, no database.

A definition is Quiz.to_dict() plus "translations": per language, the words of each question
(the answer key is shared). A final exam's definition copies the questions of the modules it
draws from, with ids namespaced "module/question", so each exam version is self-contained.
"""

import copy
from typing import Any

from app.content.format.course_format import CourseSpec, ModuleSpec, Quiz
from app.questions.question import Question
from app.questions.registry import KINDS

Definition = dict[str, Any]


def _words(quiz: Quiz) -> dict[str, Any]:
    return {
        q.id: {
            "html": q.html,
            "explanation_html": q.explanation_html,
            "hint_html": q.hint_html,
            "options": [{"html": o.html, "feedback_html": o.feedback_html} for o in q.options],
        }
        for q in quiz.questions
    }


def _namespaced(quiz: Quiz, module_id: str) -> list[Question]:
    questions = []
    for question in copy.deepcopy(quiz.questions):
        question.id = f"{module_id}/{question.id}"
        questions.append(question)
    return questions


def pooled_quiz(module: ModuleSpec, course: CourseSpec) -> Quiz | None:
    """The module's own quiz, or for a final exam its own questions plus the drawn modules'."""
    if not module.draw_from:
        return module.quiz
    by_id = {m.id: m for m in course.modules}
    own = module.quiz or Quiz(questions=[])
    questions = list(own.questions)
    for source_id in module.draw_from:
        source = by_id.get(source_id)
        if source is not None and source.quiz is not None:
            questions += _namespaced(source.quiz, source_id)
    return Quiz(questions=questions, pass_mark=own.pass_mark, draw=own.draw,
                max_attempts=own.max_attempts, grading=own.grading, review=own.review)


def _translated_quiz(module: ModuleSpec, course: CourseSpec, language: str) -> Quiz | None:
    if not module.draw_from:
        translation = module.translations.get(language)
        return translation.quiz if translation else None
    by_id = {m.id: m for m in course.modules}
    own = module.translations.get(language)
    questions = list(own.quiz.questions) if own and own.quiz else []
    for source_id in module.draw_from:
        source = by_id.get(source_id)
        words = source.translations.get(language) if source else None
        if words is not None and words.quiz is not None:
            questions += _namespaced(words.quiz, source_id)
    return Quiz(questions=questions)


def quiz_definition(module: ModuleSpec, course: CourseSpec) -> Definition | None:
    quiz = pooled_quiz(module, course)
    if quiz is None or not quiz.questions:
        return None
    definition = quiz.to_dict()
    definition["translations"] = {}
    for language in module.translations:
        translated = _translated_quiz(module, course, language)
        if translated is not None and translated.questions:
            definition["translations"][language] = _words(translated)
            _accept_translated_answers(definition, translated)
    return definition


def _accept_translated_answers(definition: Definition, translated: Quiz) -> None:
    """A short answer is right in either language: "Hanoi" as well as "Hà Nội"."""
    by_id = {q.id: q for q in translated.questions}
    for question in definition["questions"]:
        other = by_id.get(question["id"])
        if KINDS[question["kind"]].accepts_translated_answers and other is not None:
            extra = [a for a in other.accepted_answers if a not in question["accepted_answers"]]
            question["accepted_answers"] = question["accepted_answers"] + extra
