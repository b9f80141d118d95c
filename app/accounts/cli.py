"""`flask users`, the group. Its commands live where what they need is: `create` in
app/units/cli.py (an account may be put in a unit, and units sit above accounts), `import` and
`slips` in app/enrolment/cli.py; the app factory adds them."""

from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage user accounts.")
