"""What quizzes tell the packages built on them (xAPI), so that quizzes imports none of them.

Sent with the app as sender and connected per app, like app/progress/signals.py; a receiver runs
inside the submit's transaction and adds its rows to it.
"""

from blinker import Namespace

_signals = Namespace()

# A counted attempt (not a preview) was graded and stored, before its progress is recorded; a
# repeated submission of the same attempt sends nothing. Sent with user=, attempt=.
attempt_submitted = _signals.signal("attempt-submitted")
