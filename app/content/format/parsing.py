"""Course folders to CourseSpec objects, with every problem found located at file:line. Pure.

The format is described in courses/README.md. The pieces live beside this module: front_matter
(course.yml and module keys), module_files, quiz_syntax, quiz_parsing (the kinds are in app.questions),
link_checks, exam_pools (draw, draw_from) and module_translations."""

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.content.format.course_format import CourseSpec, ModuleSpec
from app.content.format.exam_pools import check_pools
from app.content.format.front_matter import COURSE_KEYS, Mapping, check_keys, load_mapping
from app.content.format.module_files import ModuleRead, module_files, read_module
from app.content.format.module_translations import attach_translations, course_translations
from app.content.format.source_text import CourseFolder, decode_text
from app.problems import FileReport, Problem, ProblemList

_DUPLICATE_MESSAGES = {
    "id": "module id '{value}' is already used by {owner}; every module needs its own id",
    "order": "order {value} is already used by {owner}; give each module a different order",
}


def _check_unique(reads: list[ModuleRead], key: str, problems: ProblemList) -> None:
    """Report a module id or order that an earlier file (by name) already uses."""
    owners: dict[Any, str] = {}
    for read in reads:
        if read.spec is None:
            continue
        value = getattr(read.spec, key)
        if value in owners:
            message = _DUPLICATE_MESSAGES[key].format(value=value, owner=owners[value])
            problems.error(read.spec.path, read.key_lines[key], message)
        owners.setdefault(value, read.spec.path)


@dataclass
class _CourseYml:
    raw: bytes
    mapping: Mapping | None  # None when course.yml is not readable YAML
    valid: bool
    translations: dict[str, dict[str, str]]

    @property
    def language(self) -> str | None:
        return self.mapping.values["language"] if self.valid and self.mapping else None


def _missing_course_yml(folder: CourseFolder, problems: ProblemList) -> None:
    if (folder.path / "course.yaml").is_file():
        problems.error(
            folder.shown("course.yaml"),
            1,
            "rename course.yaml to course.yml; Hocso only reads course.yml",
        )
        return
    problems.error(
        folder.shown("course.yml"),
        1,
        "course.yml is missing; every course folder needs one "
        "with id, title, description, pass_mark and language",
    )


def _read_course_yml(folder: CourseFolder, problems: ProblemList) -> _CourseYml | None:
    """course.yml's keys, checked; None when the file is missing."""
    if not (folder.path / "course.yml").is_file():
        _missing_course_yml(folder, problems)
        return None
    raw = (folder.path / "course.yml").read_bytes()
    report = FileReport(folder.shown("course.yml"), problems)
    text = decode_text(raw, report)
    mapping = load_mapping(text, 1, report) if text is not None else None
    valid = mapping is not None and check_keys(mapping, COURSE_KEYS, report)
    if mapping and "description" not in mapping.values:
        report.warning(
            1, "the course has no description; add 'description:' with a sentence or two"
        )
    course_yml = _CourseYml(raw, mapping, valid, {})
    if mapping:
        course_yml.translations = course_translations(mapping, course_yml.language, report)
    return course_yml


def _check_course_has_modules(
    folder: CourseFolder, reads: list[ModuleRead], problems: ProblemList
) -> None:
    modules = [read.spec for read in reads if read.spec]
    if not reads:
        problems.error(
            folder.shown("course.yml"),
            1,
            "the course has no modules; add a Markdown file such as 01-gioi-thieu.md",
        )
    elif modules and not any(module.required for module in modules):
        problems.warning(
            folder.shown("course.yml"),
            1,
            "every module is 'required: false', so the course is complete without reading any",
        )


def _read_modules(
    folder: CourseFolder, course_id: str, course_yml: _CourseYml, problems: ProblemList
) -> list[ModuleSpec]:
    """The modules that parsed, in course order; problems of all module files are reported."""
    files_url = f"/courses/{course_id}/files"
    reads = [read_module(file, folder, files_url, problems) for file in module_files(folder.path)]
    _check_unique(reads, "id", problems)
    _check_unique(reads, "order", problems)
    check_pools(reads, problems)
    languages = attach_translations(folder, files_url, reads, course_yml.language, problems)
    for language in sorted(languages - set(course_yml.translations)):
        problems.warning(
            folder.shown("course.yml"),
            1,
            f"modules are translated to '{language}' but the course title is not; add "
            f"'translations:', then '  {language}:', then '    title: ...' to course.yml",
        )
    for read in reads:
        if read.spec:
            read.spec.content_hash = read.content_hash()
    _check_course_has_modules(folder, reads, problems)
    return sorted((read.spec for read in reads if read.spec), key=lambda m: m.order)


@dataclass
class _CourseRead:
    spec: CourseSpec | None  # None when course.yml is unusable; may be set despite module errors
    problems: ProblemList
    id_line: int = 1


def _read_course(folder: CourseFolder) -> _CourseRead:
    problems = ProblemList()
    course_yml = _read_course_yml(folder, problems)
    if course_yml is None:
        return _CourseRead(None, problems)
    mapping = course_yml.mapping if course_yml.valid else None
    course_id = mapping.values["id"] if mapping else folder.path.name
    modules = _read_modules(folder, course_id, course_yml, problems)
    problems.sort(key=lambda problem: (problem.path, problem.line))
    if mapping is None:
        return _CourseRead(None, problems)
    spec = _course_spec(mapping.values, folder, modules, course_yml)
    return _CourseRead(spec, problems, mapping.lines["id"])


def _course_spec(
    values: dict[str, Any], folder: CourseFolder, modules: list[ModuleSpec], course_yml: _CourseYml
) -> CourseSpec:
    digest = hashlib.sha256(course_yml.raw)
    for module in sorted(modules, key=lambda m: m.path):
        digest.update(f"\n{module.path}:{module.content_hash}".encode())
    return CourseSpec(
        id=values["id"],
        title=values["title"].strip(),
        description=(values.get("description") or "").strip(),
        audience=(values.get("audience") or "").strip(),
        pass_mark=values["pass_mark"],
        language=values["language"],
        folder=folder.shown_as,
        modules=modules,
        content_hash=digest.hexdigest(),
        translations=course_yml.translations,
    )


def _shown_folder(folder: Path, courses_root: Path) -> str:
    folder, courses_root = Path(os.path.abspath(folder)), Path(os.path.abspath(courses_root))
    if folder != courses_root and folder.is_relative_to(courses_root):
        return folder.relative_to(courses_root).as_posix()
    return folder.name


def parse_course_folder(
    folder: Path, courses_root: Path
) -> tuple[CourseSpec | None, list[Problem]]:
    """Parse one course folder; the spec is None whenever an error (not a warning) was found."""
    read = _read_course(CourseFolder(folder, _shown_folder(folder, courses_root)))
    return (None if read.problems.has_errors else read.spec), list(read.problems)


def _course_folders(courses_root: Path, problems: ProblemList) -> Iterator[CourseFolder]:
    """Folders holding course.yml (or course.yaml); others with modules get a warning."""
    for path in sorted(p for p in courses_root.iterdir() if p.is_dir()):
        folder = CourseFolder(path, path.name)
        if path.name.startswith("."):
            continue
        if (path / "course.yml").is_file() or (path / "course.yaml").is_file():
            yield folder
        elif module_files(path):
            problems.warning(
                folder.shown("course.yml"),
                1,
                "this folder has Markdown files but no course.yml, so it is skipped; "
                "add course.yml (see courses/README.md) or move the files to a hidden folder",
            )


def parse_courses(courses_root: Path) -> tuple[list[CourseSpec], list[Problem]]:
    """Parse every course under courses_root; a course with any error is left out of the list."""
    problems = ProblemList()
    if not courses_root.is_dir():
        problems.error(str(courses_root), 1, "the courses folder does not exist")
        return [], list(problems)
    specs: list[CourseSpec] = []
    owners: dict[str, str] = {}
    for folder in _course_folders(courses_root, problems):
        read = _read_course(folder)
        problems.extend(read.problems)
        if read.spec is None:
            continue
        if read.spec.id in owners:
            problems.error(
                folder.shown("course.yml"),
                read.id_line,
                f"course id '{read.spec.id}' is already used by {owners[read.spec.id]}; "
                "every course needs its own id",
            )
        else:
            owners[read.spec.id] = folder.shown("course.yml")
            if not read.problems.has_errors:
                specs.append(read.spec)
    return specs, list(problems)
