"""What is wrong in the files an author wrote, each problem located at file:line. Pure.

The course format's checks and the question kinds' syntax checks report here; the linter,
the sync and the editor show the list."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a course folder, located at file:line."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class ProblemList(list[Problem]):
    """Every problem found in a course folder, in the order found."""

    def error(self, path: str, line: int, message: str) -> None:
        self.append(Problem(path, line, message, "error"))

    def warning(self, path: str, line: int, message: str) -> None:
        self.append(Problem(path, line, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self)


@dataclass(frozen=True)
class FileReport:
    """Where problems found in one file go."""

    path: str
    problems: ProblemList

    def error(self, line: int, message: str) -> None:
        self.problems.error(self.path, line, message)

    def warning(self, line: int, message: str) -> None:
        self.problems.warning(self.path, line, message)

    def add(self, line: int, severity: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, severity))
