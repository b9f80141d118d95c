"""Who each row of a participant report is. Pure: no Flask, no database.

People join meetings under the name they typed on their phone: "Nguyễn Văn An", "nguyen van an",
"0912 345 040 - Nguyễn Văn An", "UBND xã Hòa Bình (an.nv)". A row is matched, in this order, by a
phone number anywhere in it, by a username, by email, by the full name as written (NFC/NFD, case
and spacing aside), and last by the full name without accents. A name that fits two learners is
reported as ambiguous, never guessed. Only learners on the session's roster are candidates.
"""

import enum
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.accounts.services import normalize_phone
from app.live_sessions.participant_report import ParticipantRow

_PHONE_LIKE = re.compile(r"(?:\+?84|0)(?:[\s.\-()]*\d){8,10}")
_SEGMENT_SEPARATORS = re.compile(r"[-–—|/,;()\[\]_:]+")


class MatchMethod(enum.StrEnum):
    PHONE = "phone"
    USERNAME = "username"
    EMAIL = "email"
    NAME = "name"
    NAME_WITHOUT_ACCENTS = "name_without_accents"


@dataclass(frozen=True)
class RosterEntry:
    user_id: int
    username: str
    full_name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class RowOutcome:
    row: ParticipantRow
    user_id: int | None = None
    method: MatchMethod | None = None
    candidates: tuple[int, ...] = ()  # an ambiguous name: the learners it could be


@dataclass
class LearnerMatch:
    """One learner found in the report, with every row that is her (rejoins add up)."""

    entry: RosterEntry
    rows: list[ParticipantRow] = field(default_factory=list)
    methods: set[MatchMethod] = field(default_factory=set)

    @property
    def minutes(self) -> int | None:
        """Whole minutes attended, rounded down: 29.9 minutes do not meet a 30-minute minimum."""
        if any(r.minutes is None for r in self.rows):
            return None
        return math.floor(sum(r.minutes or 0 for r in self.rows) + 1e-9)

    @property
    def row_numbers(self) -> list[int]:
        return [r.row for r in self.rows]


@dataclass(frozen=True)
class MatchResult:
    learners: tuple[LearnerMatch, ...]  # in report order
    unmatched: tuple[ParticipantRow, ...]
    ambiguous: tuple[RowOutcome, ...]


def fold_name(text: str) -> str:
    """"NGUYỄN  Văn An" (NFC or NFD) -> "nguyễn văn an"."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def strip_accents(folded: str) -> str:
    """"nguyễn văn an" -> "nguyen van an"; đ becomes d."""
    decomposed = unicodedata.normalize("NFD", folded.replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def phones_in(text: str) -> list[str]:
    """Every Vietnamese mobile number written in the text, normalised: "0912 345 040",
    "+84912345040" and "84.912.345.040" are one number."""
    found = []
    for match in _PHONE_LIKE.finditer(text):
        phone = normalize_phone(match.group(0))
        if phone and phone not in found:
            found.append(phone)
    return found


class Roster:
    """The learners a report may name, indexed every way a row can name them."""

    def __init__(self, entries: Iterable[RosterEntry]):
        self.entries = {e.user_id: e for e in entries}
        self.by_phone = {normalize_phone(e.phone): e.user_id for e in self.entries.values()
                         if e.phone and normalize_phone(e.phone)}
        self.by_username = {e.username.casefold(): e.user_id for e in self.entries.values()}
        self.by_email: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.by_bare_name: dict[str, set[int]] = defaultdict(set)
        for e in self.entries.values():
            if e.email:
                self.by_email[e.email.strip().casefold()].add(e.user_id)
            folded = fold_name(e.full_name)
            self.by_name[folded].add(e.user_id)
            self.by_bare_name[strip_accents(folded)].add(e.user_id)

    def match(self, row: ParticipantRow) -> RowOutcome:
        for phone in phones_in(f"{row.phone} {row.name} {row.email}"):
            if phone in self.by_phone:
                return RowOutcome(row, self.by_phone[phone], MatchMethod.PHONE)
        segments = _segments(row.name)
        email = row.email.strip().casefold()
        # Only a part written without spaces can be a username: "Nguyen Van An" must not pick
        # the account nguyenvanan when a second Nguyễn Văn An is nguyenvanan2.
        for token in (*(s for s in segments if " " not in s), email, email.split("@")[0]):
            if token and token in self.by_username:
                return RowOutcome(row, self.by_username[token], MatchMethod.USERNAME)
        if email and len(self.by_email.get(email, ())) == 1:
            return RowOutcome(row, next(iter(self.by_email[email])), MatchMethod.EMAIL)
        names = [fold_name(re.sub(r"\d+", " ", s)) for s in segments]
        names = [n for n in names if n]
        for index, method, key in ((self.by_name, MatchMethod.NAME, lambda n: n),
                                   (self.by_bare_name, MatchMethod.NAME_WITHOUT_ACCENTS, strip_accents)):
            found = set().union(*(index.get(key(n), set()) for n in names)) if names else set()
            if len(found) == 1:
                return RowOutcome(row, found.pop(), method)
            if len(found) > 1:
                return RowOutcome(row, candidates=tuple(sorted(found)))
        return RowOutcome(row)


def _segments(name: str) -> list[str]:
    """The whole name, then its parts between separators: "0912 345 040 - Nguyễn Văn An (an.nv)"."""
    whole = fold_name(name)
    parts = [fold_name(p) for p in _SEGMENT_SEPARATORS.split(whole)]
    dotted = [fold_name(p) for p in re.split(r"[\s()\[\],;|]+", whole) if "." in p]  # usernames such as an.nv
    return [s for s in dict.fromkeys([whole, *parts, *dotted]) if s]


def match_report(rows: Iterable[ParticipantRow], roster: Roster) -> MatchResult:
    """Each row matched to at most one learner; a learner's rows gathered together."""
    learners: dict[int, LearnerMatch] = {}
    unmatched, ambiguous = [], []
    for row in rows:
        outcome = roster.match(row)
        if outcome.user_id is not None:
            match = learners.setdefault(outcome.user_id, LearnerMatch(roster.entries[outcome.user_id]))
            match.rows.append(row)
            match.methods.add(outcome.method)
        elif outcome.candidates:
            ambiguous.append(outcome)
        else:
            unmatched.append(row)
    return MatchResult(tuple(learners.values()), tuple(unmatched), tuple(ambiguous))
