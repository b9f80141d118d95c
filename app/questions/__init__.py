"""Question kinds: one module per kind, each holding its syntax check, answer key, grader, form
widget, what is shown after an attempt and its GIFT codec, all registered in registry.KINDS.

Importing this package registers the built-in kinds; a new kind is a module here that calls
registry.register() and is imported below. The package sits below what uses kinds (the course
format's quiz parser, GIFT import and export, grading, the quiz form) and imports none of them:
a question's data is in question.py, problems go to app.problems, and the caller hands a kind
the function that renders inline Markdown."""

# isort: off
# In this order: how error messages list the heading classes (.truefalse, .short, .numeric).
from app.questions import single, multiple, truefalse, short, numeric  # noqa: F401  registers them
# isort: on
from app.questions.registry import (
    KINDS,
    GiftCodec,
    GradedAnswer,
    QuestionKind,
    kind_named,
    kind_of,
    register,
    unregister,
)

__all__ = ["KINDS", "GiftCodec", "GradedAnswer", "QuestionKind", "kind_named", "kind_of", "register",
           "unregister"]
