"""What the learning records tell the packages built on them, so that progress imports none of them.

Each signal is sent with the app as sender (`current_app._get_current_object()`), and the packages
above connect their receivers to the app in their `init_app` (see `connect_domains` in
app/__init__.py): every app the factory builds has its own, none fires twice. Signals run
synchronously, inside the caller's transaction: a receiver adds and flushes its rows, the caller
commits them with the progress they follow, or rolls them back with it. Receivers run in no set
order, so none may rely on another's rows.
"""

from blinker import Namespace

_signals = Namespace()

# She opened a module for the first time (her progress row was just created by opening it).
# Sent with user=, module=.
module_first_opened = _signals.signal("module-first-opened")

# Every required module of the course is complete and the course completion is about to be
# recorded. A receiver returns False to hold it back while something else the course requires is
# missing (a live session she must attend); None or True let it go on. Sent with user=, course=
# each time the completion rule is asked again, until the completion is recorded.
course_completion_pending = _signals.signal("course-completion-pending")

# The course completion was recorded, once, on the transition; the certificate is issued here.
# Sent with user=, course=, completion=.
course_completed = _signals.signal("course-completed")
