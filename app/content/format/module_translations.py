"""A course in two languages: course.yml's translations and '01-ten.en.md' module files. Pure.

A translation has other words but the same ids and the same answer key as its original."""

from collections.abc import Iterator
from pathlib import Path

from app.content.format.course_format import ModuleTranslation, Quiz
from app.content.format.front_matter import (
    COURSE_TRANSLATION_KEYS,
    LANGUAGES,
    TRANSLATION_KEYS,
    Mapping,
    check_keys,
)
from app.content.format.module_files import (
    TRANSLATION_NAME,
    ModuleRead,
    ModuleText,
    read_module_text,
    translation_files,
)
from app.content.format.source_text import CourseFolder
from app.problems import FileReport, ProblemList
from app.questions.question import Question
from app.questions.registry import KINDS


def _language_problem(language: object, course_language: str | None) -> str | None:
    if language not in LANGUAGES:
        return f"'{language}' is not a language Hocso shows; translations are in {' or '.join(LANGUAGES)}"
    if language == course_language:
        return f"the course is written in '{language}' (its language in course.yml) already"
    return None


def course_translations(
    mapping: Mapping, course_language: str | None, report: FileReport
) -> dict[str, dict[str, str]]:
    """course.yml's 'translations:' as {language: {title, description, audience}}; mistakes
    reported."""
    if "translations" not in mapping.values:
        return {}
    languages = mapping.nested("translations", report)
    if languages is None:
        report.error(
            mapping.lines["translations"],
            "'translations' must list languages, each with a title: "
            "'translations:', then '  en:', then '    title: ...'",
        )
        return {}
    found: dict[str, dict[str, str]] = {}
    for language, line in languages.lines.items():
        message = _language_problem(language, course_language)
        if message:
            report.error(line, message)
            continue
        fields = languages.nested(language, report)
        if fields is None:
            report.error(line, f"'{language}' needs 'title:' (and 'description:') indented under it")
        elif check_keys(fields, COURSE_TRANSLATION_KEYS, report, missing_line=line):
            found[language] = {
                "title": fields.values["title"].strip(),
                "description": (fields.values.get("description") or "").strip(),
            }
            if fields.values.get("audience"):
                found[language]["audience"] = fields.values["audience"].strip()
    return found


def _correct_numbers(question: Question) -> str:
    """The right options as the author counts them: '1 and 3', or 'none'."""
    numbers = [str(index + 1) for index in sorted(question.correct_indexes)]
    return " and ".join(numbers) or "none"


def _differences(original: Question, translated: Question, where: str) -> Iterator[str]:
    """How a translated question's answer key differs from its original's."""
    if translated.kind != original.kind:
        yield (
            f"question '{original.id}' is {KINDS[translated.kind].description} here but "
            f"{KINDS[original.kind].description} in {where}; a translation keeps the kind"
        )
        return
    mine, theirs = translated.options, original.options
    if len(mine) != len(theirs):
        yield (
            f"question '{original.id}' has {len(mine)} options here but {len(theirs)} in {where}; "
            "translate every option, in the same order"
        )
    marked, wanted = _correct_numbers(translated), _correct_numbers(original)
    if len(mine) == len(theirs) and marked != wanted:
        yield (
            f"question '{original.id}' has option(s) {marked} marked correct here but {wanted} "
            f"in {where}; keep the options in the same order with the same right answers"
        )
    if len(translated.accepted_answers) != len(original.accepted_answers):
        yield (
            f"question '{original.id}' has {len(translated.accepted_answers)} accepted answer(s) "
            f"here but {len(original.accepted_answers)} in {where}; translate each '- =' answer"
        )
    yield from KINDS[original.kind].translation_differences(original, translated, where)


def _compare_questions(
    original: list[Question], translated: list[Question], where: str, text: ModuleText
) -> None:
    """Report, at the translation's lines, every way its questions differ from the original's."""
    report = text.report
    for number, (source, question) in enumerate(zip(original, translated, strict=False), start=1):
        if question.id != source.id:
            report.error(
                question.line,
                f"question {number} is '{question.id}' here but '{source.id}' in {where}; "
                "a translation has the same questions, with the same ids, in the same order",
            )
            continue
        for message in _differences(source, question, where):
            report.error(question.line, message)
    if len(translated) < len(original):
        missing = ", ".join(f"'{q.id}'" for q in original[len(translated) :])
        report.error(
            text.marker_line or 1, f"question(s) {missing} of {where} are missing in this translation"
        )
    for question in translated[len(original) :]:
        report.error(
            question.line,
            f"question '{question.id}' is not in {where}; a translation has its original's questions",
        )


def _translated_quiz(text: ModuleText, original: Quiz | None, where: str) -> Quiz | None:
    if original is None:
        if text.marker_line is not None:
            report = text.report
            report.error(text.marker_line, f"{where} has no quiz; remove this quiz or add it there first")
        return None
    if text.marker_line is None and original.questions:
        text.report.error(1, f"{where} has a quiz; translate it after a '<!-- quiz -->' line")
    else:
        _compare_questions(original.questions, text.questions, where, text)
    return Quiz(
        questions=text.questions,
        pass_mark=original.pass_mark,
        draw=original.draw,
        max_attempts=original.max_attempts,
        grading=original.grading,
    )


def _read_translation(
    file: Path,
    language: str,
    original: ModuleRead,
    folder: CourseFolder,
    files_url: str,
    report: FileReport,
) -> ModuleTranslation | None:
    """One translation file, checked against its original."""
    text = read_module_text(file, folder, files_url, report, TRANSLATION_KEYS)
    if text is None or original.spec is None or original.text is None:
        return None
    original.translation_bytes[language] = text.raw
    module = original.spec
    if text.meta and text.meta["id"] != module.id:
        report.error(
            text.mapping.lines["id"],  # type: ignore[union-attr]
            f"id '{text.meta['id']}' is not the id of {original.file_name} ('{module.id}'); "
            "a translation keeps its module's id",
        )
    quiz = _translated_quiz(text, module.quiz, original.file_name)
    if not text.meta:
        return None
    _, html, toc = text.rendered_body(files_url)
    return ModuleTranslation(language, text.meta["title"].strip(), html, toc, quiz)


def attach_translations(
    folder: CourseFolder,
    files_url: str,
    reads: list[ModuleRead],
    course_language: str | None,
    problems: ProblemList,
) -> set[str]:
    """Read each '01-ten.en.md' into its module's translations; the languages found."""
    originals = {read.file_name: read for read in reads}
    languages: set[str] = set()
    for file in translation_files(folder.path):
        report = FileReport(folder.shown(file.name), problems)
        name = TRANSLATION_NAME.fullmatch(file.name)
        assert name is not None
        language, original_name = name["language"], f"{name['stem']}.md"
        message = _language_problem(language, course_language)
        original = originals.get(original_name)
        if message:
            report.error(1, f"{message}; name a translation like {original_name[:-3]}.en.md")
        elif original is None:
            report.error(
                1,
                f"this translation has no original: there is no {original_name} beside it; "
                "name a translation after its module (01-gioi-thieu.en.md for 01-gioi-thieu.md)",
            )
        else:
            translation = _read_translation(file, language, original, folder, files_url, report)
            if translation is not None and original.spec is not None:
                original.spec.translations[language] = translation
                languages.add(language)
    return languages
