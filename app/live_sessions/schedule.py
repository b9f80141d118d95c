"""When a session's check-in is open, its code, its time in the province. Pure: no Flask, no database."""

import enum
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

# No 0/O, 1/I/L: a code read off a projector screen in a hall is typed without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # 31**6, about 890 million codes; check-ins are rate-limited per learner
OPENS_BEFORE = timedelta(minutes=10)
CLOSES_AFTER = timedelta(minutes=15)
MAX_DURATION_MINUTES = 12 * 60


class WindowState(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class CheckinWindow:
    opens_at: datetime
    closes_at: datetime

    def state(self, now: datetime) -> WindowState:
        if now < self.opens_at:
            return WindowState.NOT_YET
        return WindowState.OPEN if now <= self.closes_at else WindowState.CLOSED


def checkin_window(starts_at: datetime, duration_minutes: int) -> CheckinWindow:
    """From 10 minutes before the start to 15 minutes after the end."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    return CheckinWindow(starts_at - OPENS_BEFORE, ends_at + CLOSES_AFTER)


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """What a learner types, with spaces, dashes and lower case forgiven. Letters outside the
    alphabet (O, I, L, 0, 1) are kept, so a mistyped code fails instead of being guessed at."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())[:CODE_LENGTH * 2]


def codes_match(typed: str, code: str) -> bool:
    return secrets.compare_digest(normalize_code(typed).encode(), code.encode())


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A date and time typed in the province's zone, as the UTC moment stored."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def utc_to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def is_meeting_url(text: str) -> bool:
    """An http(s) address with a host: a link learners can open from their phone, never javascript:."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(
        ch.isspace() or ord(ch) < 32 for ch in text.strip()
    )
