"""Language and time zone: Vietnamese first, English available.

request_locale.py wires Flask-Babel into the app (the request's language, the templates'
gettext, the date filters); markers.py and dates.py are pure, for modules without Flask.
"""
