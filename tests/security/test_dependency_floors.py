"""Case 12: the libraries that guard PDFs and HTML are pinned, at versions with the fixes we rely on."""

from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def pinned() -> dict[str, Requirement]:
    requirements = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            requirements[requirement.name.lower()] = requirement
    return requirements


def exact_pin(requirement: Requirement) -> Version | None:
    specs = list(requirement.specifier)
    return Version(specs[0].version) if len(specs) == 1 and specs[0].operator == "==" else None


def test_weasyprint_is_pinned_at_70_or_later():
    pin = exact_pin(pinned()["weasyprint"])
    assert pin is not None and pin >= Version("70.0")


def test_markdown_and_nh3_are_pinned_exactly():
    requirements = pinned()
    assert exact_pin(requirements["markdown"]) is not None
    assert exact_pin(requirements["nh3"]) is not None


def test_installed_versions_match_the_pins():
    for name in ("weasyprint", "markdown", "nh3"):
        assert Version(version(name)) == exact_pin(pinned()[name]), name
