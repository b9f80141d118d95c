"""flask courses import-gift / export-gift: Moodle GIFT question banks in and out of a module.

The commands are plain click commands; the app factory attaches them to the courses group:
    courses_cli.add_command(import_gift_command)
    courses_cli.add_command(export_gift_command)
"""

import re
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext

from app.content.format.front_matter import check_id, read_front_matter
from app.content.format.module_files import module_files
from app.content.format.parsing import parse_course_folder
from app.content.format.quiz_syntax import split_quiz
from app.content.format.source_text import numbered_lines
from app.content.gift.codec import (
    GiftQuestion,
    category_name,
    module_id_for,
    parse_gift,
    quiz_to_gift,
    to_markdown_quiz,
)
from app.problems import FileReport, ProblemList

_QUESTION_IDS = re.compile(r"###\s.*\{([^{}]*)\}\s*")


@click.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_id", required=True, help="Id of the course (from its course.yml).")
@click.option(
    "--module", "module_id",
    help="Id of the module for every question; created when missing. Default: one module per "
    "$CATEGORY, named after the category's last level.",
)
@click.option("--title", help="Title of a new --module (default: the GIFT category, else the module id).")
@click.option(
    "--minutes", type=click.IntRange(min=1), help="Minutes of a new module (default: 2 a question)."
)
@click.option(
    "--language", type=click.Choice(["vi", "en"]), help="True/false labels (default: the course's)."
)
@with_appcontext
def import_gift_command(
    file: Path, course_id: str, module_id: str | None, title: str | None, minutes: int | None,
    language: str | None,
):
    """Append the questions of a Moodle GIFT file to module quizzes, then validate the course."""
    root = Path(current_app.config["COURSES_DIR"])
    folder, course = _course_folder(root, course_id)
    if module_id is not None and (message := check_id(module_id)):
        raise click.ClickException(f"--module '{module_id}' {message}")
    questions, problems = parse_gift(_read_gift(file))
    for problem in problems:
        click.echo(f"{file.name}:{problem}", err=problem.skipped)
    if not questions:
        raise click.ClickException(f"nothing was imported: {file.name} has no question Hocso can hold")
    groups = _modules_for(questions, module_id, file.name)
    language = language or course.get("language", "vi")
    originals: dict[Path, bytes | None] = {}
    written: list[str] = []
    valid = False
    try:
        for group_id, group in groups.items():
            module = _write_questions(folder, group_id, group, language, title if module_id else None,
                                     minutes, originals)
            written.append(f"{module.relative_to(root)}" + (f" ({len(group)})" if len(groups) > 1 else ""))
            for category in dict.fromkeys(q.category for q in group) if module_id is None else ():
                count = sum(q.category == category for q in group)
                click.echo(f"{file.name}: category '{category}': {count} question(s) into module "
                           f"'{group_id}' ({module.name})")
        valid = _validate(folder, root)
    finally:
        if not valid:
            for module, original in originals.items():
                _put_back(module, original)
    if not valid:
        raise click.ClickException("nothing was imported: fix the errors above; the modules are unchanged")
    skipped = sum(problem.skipped for problem in problems)
    click.echo(f"Imported {len(questions)} question(s) into {', '.join(written)}; {skipped} skipped.")


def _modules_for(questions: list[GiftQuestion], module_id: str | None, file_name: str) -> dict:
    """Module id -> its questions: all in --module, else each in the module of its $CATEGORY."""
    categories = dict.fromkeys(q.category for q in questions)
    if module_id is not None:
        if len(categories) > 1:  # the categories are not kept apart: say so, question by question
            for q in questions:
                click.echo(f"{file_name}:{q.line}: note: '{q.title or q.text[:40]}': category "
                           f"'{q.category}' goes into module '{module_id}' with the other categories")
        return {module_id: questions}
    if uncategorised := next((q for q in questions if not q.category), None):
        raise click.ClickException(
            f"{file_name}:{uncategorised.line}: this question comes before any $CATEGORY line; "
            "give --module, or start the file with a $CATEGORY line"
        )
    groups: dict[str, list[GiftQuestion]] = {}
    for q in questions:
        groups.setdefault(module_id_for(q.category), []).append(q)
    return groups


def _write_questions(
    folder: Path, module_id: str, questions: list[GiftQuestion], language: str, title: str | None,
    minutes: int | None, originals: dict[Path, bytes | None],
) -> Path:
    """Append the questions to the module's quiz, creating the module file when missing."""
    module = _module_file(folder, module_id)
    if module is None:
        title = title or next((category_name(q.category) for q in questions if q.category), module_id)
        module = _new_module(folder, module_id, title, minutes or max(5, 2 * len(questions)))
        originals[module] = None
    else:
        originals.setdefault(module, module.read_bytes())
    text = module.read_text(encoding="utf-8")
    quiz = to_markdown_quiz(questions, language, _question_ids(text))
    module.write_text(_with_questions(text, quiz), encoding="utf-8")
    return module


@click.command("export-gift")
@click.option("--course", "course_id", required=True, help="Id of the course (from its course.yml).")
@click.option("--module", "module_id", required=True, help="Id of the module whose quiz is exported.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--language", type=click.Choice(["vi", "en"]), help="Export a translated module's quiz.")
@with_appcontext
def export_gift_command(course_id: str, module_id: str, output: Path | None, language: str | None):
    """Write a module's questions as Moodle GIFT (to standard output unless -o is given)."""
    root = Path(current_app.config["COURSES_DIR"])
    folder, _ = _course_folder(root, course_id)
    spec, problems = parse_course_folder(folder, root)
    if spec is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the course has errors; fix them (flask courses validate) first")
    module = next((m for m in spec.modules if m.id == module_id), None)
    if module is None:
        known = ", ".join(m.id for m in spec.modules)
        raise click.ClickException(f"course '{course_id}' has no module '{module_id}' (it has: {known})")
    quiz, quiz_language = module.quiz, spec.language
    if language and language != spec.language:
        translation = module.translations.get(language)
        if translation is None:
            raise click.ClickException(f"module '{module_id}' has no '{language}' translation")
        quiz, quiz_language = translation.quiz, language
    if quiz is None or not quiz.questions:
        raise click.ClickException(f"module '{module_id}' has no questions of its own to export")
    gift = quiz_to_gift(quiz, category=f"{course_id}/{module_id}", language=quiz_language)
    if output is None:
        click.echo(gift, nl=False)
        return
    output.write_text(gift, encoding="utf-8")
    click.echo(f"Wrote {len(quiz.questions)} question(s) to {output}.", err=True)


def _course_folder(root: Path, course_id: str) -> tuple[Path, dict]:
    """The folder whose course.yml has this id, and that file's values."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        values = _yaml_file(folder / "course.yml")
        if values.get("id") == course_id:
            return folder, values
    raise click.ClickException(f"no course with id '{course_id}' in {root}")


def _yaml_file(path: Path) -> dict:
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return values if isinstance(values, dict) else {}


def _read_gift(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file.name} is not UTF-8 text; save it with UTF-8 encoding") from error


def _front_matter(file: Path) -> dict:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    mapping, _ = read_front_matter(numbered_lines(text), FileReport(file.name, ProblemList()))
    return mapping.values if mapping else {}


def _module_file(folder: Path, module_id: str) -> Path | None:
    return next((f for f in module_files(folder) if _front_matter(f).get("id") == module_id), None)


def _new_module(folder: Path, module_id: str, title: str, minutes: int) -> Path:
    """An empty module file named 'NN-<module>.md', placed after the course's last module."""
    orders = [_front_matter(f).get("order") for f in module_files(folder)]
    order = max([o for o in orders if isinstance(o, int)], default=0) + 1
    front_matter = {"id": module_id, "title": title, "order": order, "minutes": minutes}
    file = folder / f"{order:02d}-{module_id}.md"
    yaml_text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    file.write_text(f"---\n{yaml_text}---\n", encoding="utf-8")
    return file


def _put_back(module: Path, original: bytes | None) -> None:
    """Leave the module as it was before the import: its old bytes, or no file at all."""
    if original is None:
        module.unlink()
    else:
        module.write_bytes(original)


def _question_ids(text: str) -> list[str]:
    """Question ids already used in a module file, so that imported ones differ."""
    return [
        token[1:]
        for line in text.split("\n")
        if (match := _QUESTION_IDS.fullmatch(line))
        for token in match.group(1).split()
        if token.startswith("#")
    ]


def _with_questions(text: str, quiz: str) -> str:
    """The module text with the quiz questions appended, adding '<!-- quiz -->' when missing."""
    _, _, marker_line = split_quiz(numbered_lines(text), FileReport("", ProblemList()))
    marker = "" if marker_line is not None else "<!-- quiz -->\n\n"
    return f"{text.rstrip()}\n\n{marker}{quiz}"


def _validate(folder: Path, root: Path) -> bool:
    """Run the course linter on the folder, print every problem; True when there is no error."""
    _, problems = parse_course_folder(folder, root)
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(problem.severity == "error" for problem in problems)
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s).")
    return errors == 0
