"""Messages marked for translation where they are written and translated where they are shown.

A pure module (an import's row checks, a unit's rules) has no request to translate in: it keeps
the English msgid, marked with N_ so that Babel extracts it; the page translates it, the command
line prints it in English.
"""


def N_(message: str) -> str:  # the gettext convention
    """Mark a message for extraction; it is translated where it is shown."""
    return message
