"""Question kinds: one module per kind, each holding its syntax check, answer key, grader, form
widget, what is shown after an attempt and its GIFT codec, all registered in registry.KINDS.

Importing this package registers the built-in kinds; a new kind is a module here that calls
registry.register() and is imported below. The package sits between the course format's pure
pieces (course_format, quiz_syntax, source_text, rendering) and what uses kinds (the quiz parser,
grading, the quiz form, GIFT import and export)."""

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
