"""Simulated learners: log in, start a quiz, submit it, and retry with the same token until acknowledged."""

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.attempt_audit import Acknowledgement
from bench.population import AnswerSheet
from bench.quiz_client import QuizClient, ServerUnavailable, UnexpectedResponse
from bench.step_figures import percentile_ms


class GaveUp(Exception):
    """A learner could not get an answer before the run's deadline."""


@dataclass
class Ledger:
    """What the clients saw, shared by all learner threads."""

    acks: list[Acknowledgement] = field(default_factory=list)
    sent_tokens: set[str] = field(default_factory=set)  # tokens whose answers were POSTed at least once
    submit_seconds: list[float] = field(default_factory=list)  # latency of each acknowledgement
    failed_seconds: list[float] = field(default_factory=list)  # latency of each 5xx answer
    events: Counter = field(default_factory=Counter)  # unavailable, 5xx, retries, errors ...
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few details per event
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_error(self, detail: str, seconds: float) -> None:
        self.count("5xx", detail)
        with self.lock:
            self.failed_seconds.append(seconds)

    def answered_at(self) -> list[float]:
        """When each acknowledgement arrived (time.time()), in order of arrival."""
        with self.lock:
            return sorted(a.last_sent_at + s for a, s in zip(self.acks, self.submit_seconds, strict=True))

    def count(self, event: str, detail: str = "") -> None:
        with self.lock:
            self.events[event] += 1
            kept = self.examples.setdefault(event, [])
            if detail and len(kept) < 3:
                kept.append(detail)

    def acknowledge(self, ack: Acknowledgement, seconds: float) -> None:
        with self.lock:
            self.acks.append(ack)
            self.submit_seconds.append(seconds)

    def describe_problems(self) -> str:
        return "\n".join(f"{event}: {details}" for event, details in self.examples.items())

    @property
    def submissions(self) -> int:
        return len(self.acks)

    def percentile_ms(self, q: int) -> float:
        """The q-th percentile of acknowledged submission latency, in milliseconds."""
        return percentile_ms(self.submit_seconds, q)


@dataclass(frozen=True)
class Learner:
    base_url: str
    username: str
    password: str
    sheets: dict[str, list[AnswerSheet]]  # quiz module slug -> answer sheets
    ledger: Ledger
    deadline: float  # time.monotonic() after which the learner gives up
    think_seconds: tuple[float, float] = (0.0, 0.0)
    request_timeout: float = 120.0  # a browser waits minutes; giving up early only adds load

    def run(self, keep_going: Callable[[int], bool], seed: int) -> None:
        """Log in, then take quizzes in turn while keep_going(number done so far)."""
        rng = random.Random(seed)  # noqa: S311 - load shape, not security
        client = QuizClient(self.base_url, timeout=self.request_timeout)
        self._retry(lambda: client.log_in(self.username, self.password))
        modules = sorted(self.sheets)
        done = 0
        while keep_going(done):
            module = modules[done % len(modules)]
            token = self._retry(lambda m=module: client.start_attempt(m))
            self._submit_until_acknowledged(client, token, rng.choice(self.sheets[module]))
            done += 1
            time.sleep(rng.uniform(*self.think_seconds))

    def _retry(self, action):
        while True:
            try:
                return action()
            except ServerUnavailable:
                self.ledger.count("unavailable")
            except UnexpectedResponse as error:
                if error.status < 500:
                    raise
                self.ledger.server_error(str(error), error.seconds)
            self._pause()

    def _submit_until_acknowledged(self, client: QuizClient, token: str, sheet: AnswerSheet) -> None:
        """The same POST with the same token until a 302 comes back (the token is the idempotency key)."""
        form = sheet.form_for(self._retry(lambda: client.attempt_page(token)))
        with self.ledger.lock:
            self.ledger.sent_tokens.add(token)
        while True:
            sent_at = time.time()
            try:
                response = client.submit(token, form)
            except ServerUnavailable:
                self.ledger.count("unavailable")
            else:
                if response.status == 302:
                    self.ledger.acknowledge(Acknowledgement(token, sheet.score, sent_at), response.seconds)
                    return
                if response.status < 500:
                    raise UnexpectedResponse(f"submit {token}", response.status)
                self.ledger.server_error(f"submit {token}: HTTP {response.status}", response.seconds)
            self.ledger.count("resubmitted")
            self._pause()

    def _pause(self) -> None:
        if time.monotonic() > self.deadline:
            raise GaveUp(self.username)
        time.sleep(random.uniform(0.05, 0.2))  # noqa: S311


def run_learners(learners: list[Learner], keep_going: Callable[[int], bool],
                 ramp_up_seconds: float = 0.0) -> list[threading.Thread]:
    """Start one thread per learner (spread over ramp_up_seconds); failures land in the ledger."""
    threads = []
    for number, learner in enumerate(learners):
        def body(learner=learner, number=number):
            time.sleep(ramp_up_seconds * number / max(len(learners), 1))
            try:
                learner.run(keep_going, seed=number)
            except Exception as error:  # noqa: BLE001 - report every failure, stop nothing else
                learner.ledger.count("learner failed", f"{learner.username}: {error!r}")

        thread = threading.Thread(target=body, name=f"learner-{learner.username}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
