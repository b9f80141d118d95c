"""One learner's visit on the day of a live training, as her browser makes it, step by step.

Log in (the login page for its CSRF token, then the form), the course list the login redirects
to, the course, the module being presented, start its quiz, the quiz page, submit the right
answers, the result page. A step that fails (5xx, timeout, cut connection, unexpected page) is
tried again after a pause, as a person presses reload; a submit is resent with the same attempt
token, which is what makes a retry harmless.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.async_browser import AsyncBrowser, Reply
from bench.attempt_audit import Acknowledgement
from bench.learner_simulation import Ledger
from bench.population import AnswerSheet
from bench.step_figures import StepTable

STEPS = ["login page", "log in", "course list", "course", "module", "start quiz", "quiz page",
         "submit", "result"]
RETRIES = 2  # tries after the first, per step
RETRY_PAUSE_SECONDS = 1.0


class StepFailed(Exception):
    """A step failed on every try: the learner goes home."""


@dataclass(frozen=True)
class Visit:
    """What every learner of a run does: which course and module, with which answers."""

    base_url: str
    course: str
    module: str
    password: str
    sheet: AnswerSheet
    table: StepTable
    ledger: Ledger
    timeout: float = 30.0

    async def run(self, username: str) -> None:
        """The whole visit; raises StepFailed at the first step that never succeeded."""
        async with AsyncBrowser(self.base_url, self.timeout) as browser:
            token = await self.open_quiz(browser, username)
            page = await self._step(browser, "quiz page", "GET", f"/attempts/{token}")
            await self._submit(browser, token, self.sheet.form_for(page.body))
            await self._step(browser, "result", "GET", f"/attempts/{token}")

    async def open_quiz(self, browser: AsyncBrowser, username: str) -> str:
        """Log in, open the course list, the course and the module, start its quiz: the attempt token."""
        await self.log_in(browser, username)
        await self._step(browser, "course list", "GET", "/courses")
        await self._step(browser, "course", "GET", f"/courses/{self.course}")
        module_path = f"/courses/{self.course}/modules/{self.module}"
        await self._step(browser, "module", "GET", module_path)
        started = await self._step(browser, "start quiz", "POST", f"{module_path}/quiz", {},
                                   expect=lambda r: r.status == 302 and "/attempts/" in r.location)
        return started.location.rsplit("/", 1)[-1]

    async def log_in(self, browser: AsyncBrowser, username: str) -> None:
        """The login page (for its CSRF token), then the login form."""
        await self._step(browser, "login page", "GET", "/login")
        await self._step(browser, "log in", "POST", "/login",
                         {"login": username, "password": self.password}, expect=_redirected)

    async def _submit(self, browser: AsyncBrowser, token: str, form: dict) -> None:
        self.ledger.sent_tokens.add(token)
        sent_at = []  # time.time() of each try: the acknowledged one is the last
        reply = await self._step(browser, "submit", "POST", f"/attempts/{token}", form,
                                 expect=_redirected, before=lambda: sent_at.append(time.time()))
        self.ledger.acknowledge(Acknowledgement(token, self.sheet.score, sent_at[-1]), reply.seconds)

    async def _step(self, browser: AsyncBrowser, name: str, method: str, path: str,
                    form: dict | None = None, expect: Callable[[Reply], bool] = lambda r: r.status == 200,
                    before: Callable[[], object] = lambda: None) -> Reply:
        for attempt in range(RETRIES + 1):
            if attempt:
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
            before()
            reply = await browser.request(method, path, form)
            ok = expect(reply)
            self.table.record(name, reply.seconds, "" if ok else reply.kind)
            if ok:
                self.table.passed(name)
                return reply
        raise StepFailed(f"{name}: {reply.kind}")


def _redirected(reply: Reply) -> bool:
    return reply.status == 302
