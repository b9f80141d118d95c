"""The Vietnamese and English catalogues are complete, clean and in step with the sources.

When a test here fails after you add or change a UI string, refresh and translate:

    .venv/bin/pybabel extract -F babel.cfg -k _l -o /tmp/messages.pot .
    .venv/bin/pybabel update -i /tmp/messages.pot -d app/translations
    # fill every empty msgstr in app/translations/{vi,en}/LC_MESSAGES/messages.po,
    # remove "#, fuzzy" flags and "#~" obsolete entries, then:
    .venv/bin/pybabel compile -d app/translations
"""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
LOCALES = ("vi", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}

HOW_TO_FIX = (
    "Refresh the catalogues and translate (or run `make translations-update` if it exists):\n"
    "  .venv/bin/pybabel extract -F babel.cfg -k _l -o /tmp/messages.pot .\n"
    "  .venv/bin/pybabel update -i /tmp/messages.pot -d app/translations\n"
    "  then fill every empty msgstr in app/translations/vi and en (en = the msgid), "
    "drop fuzzy flags and #~ entries, and\n"
    "  .venv/bin/pybabel compile -d app/translations"
)

# %(name)s, %(n)d, %%, and positional %s / %d; the "%%" escape counts as a placeholder too.
PLACEHOLDER = re.compile(
    r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else message_id


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [value]


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted((name or "", kind) for name, kind in PLACEHOLDER.findall(text))


def _describe(keys, locations=None) -> str:
    lines = []
    for key in sorted(keys, key=lambda k: (k[1] or "", k[0])):
        msgid, context = key
        where = ""
        if locations and locations.get(key):
            where = "  (" + ", ".join(f"{f}:{n}" for f, n in sorted(locations[key])[:3]) + ")"
        ctx = f" [context {context!r}]" if context else ""
        lines.append(f"  - {msgid!r}{ctx}{where}")
    return "\n".join(lines)


def _load(locale: str) -> Catalog:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.is_file(), f"missing catalogue {path}\n{HOW_TO_FIX}"
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Catalog]:
    return {locale: _load(locale) for locale in LOCALES}


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], set[tuple[str, int]]]:
    """Every msgid in the sources, extracted with the mapping in babel.cfg (as pybabel does)."""
    with (ROOT / "babel.cfg").open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, "babel.cfg")
    found: dict[tuple[str, str | None], set[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = _key(message)
        if msgid:
            found.setdefault((msgid, context), set()).add((filename, lineno))
    assert found, "extraction found no UI string at all; is babel.cfg right?"
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(catalogues, locale):
    untranslated = [
        message
        for message in _messages(catalogues[locale])
        if not all(form.strip() for form in _forms(message.string))
    ]
    assert not untranslated, (
        f"{len(untranslated)} message(s) without a {locale} translation:\n"
        + _describe({(_key(m.id), m.context) for m in untranslated})
        + "\n"
        + HOW_TO_FIX
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_is_fuzzy_or_obsolete(catalogues, locale):
    catalog = catalogues[locale]
    fuzzy = [m for m in _messages(catalog) if m.fuzzy]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy {locale} message(s); check the translation, then remove the flag:\n"
        + _describe({(_key(m.id), m.context) for m in fuzzy})
    )
    assert not catalog.fuzzy, f"the {locale} catalogue header is marked fuzzy"
    assert not catalog.obsolete, (
        f"{len(catalog.obsolete)} obsolete (#~) {locale} entry(ies); delete them:\n"
        + _describe({(_key(m.id), m.context) for m in catalog.obsolete.values()})
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(catalogues, locale):
    mismatched = []
    for message in _messages(catalogues[locale]):
        if not (message.python_format or any("%" in i for i in _forms(message.id))):
            continue
        expected = _placeholders(_forms(message.id)[0])
        for form in _forms(message.string):
            if form and _placeholders(form) != expected:
                mismatched.append(f"  - {_key(message.id)!r} -> {form!r}")
    assert not mismatched, (
        f"{locale} translations whose %-placeholders differ from the msgid "
        "(keep names, types and %% exactly):\n" + "\n".join(mismatched)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_babel_checks_pass(catalogues, locale):
    problems = [
        f"  - {_key(message.id)!r}: {'; '.join(str(e) for e in errors)}"
        for message, errors in catalogues[locale].check()
    ]
    report = "\n".join(problems)
    assert not problems, f"Babel reports problems in the {locale} catalogue:\n{report}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_covers_every_source_string(catalogues, source_messages, locale):
    present = {(_key(m.id), m.context) for m in _messages(catalogues[locale])}
    missing = set(source_messages) - present
    assert not missing, (
        f"{len(missing)} UI string(s) in the sources are not in the {locale} catalogue "
        "and would show untranslated:\n" + _describe(missing, source_messages) + "\n" + HOW_TO_FIX
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_stale_strings(catalogues, source_messages, locale):
    present = {(_key(m.id), m.context) for m in _messages(catalogues[locale])}
    stale = present - set(source_messages)
    assert not stale, (
        f"{len(stale)} {locale} message(s) no longer used by the sources:\n"
        + _describe(stale)
        + "\n"
        + HOW_TO_FIX
    )
