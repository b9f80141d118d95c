"""Flask hello-world, the yardstick of bench/ratio.py: served by the same gunicorn settings as Hocso.

    gunicorn bench.hello_app:app
"""

from flask import Flask, redirect

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/submit")
def submit():
    """The counterpart of a quiz submit: read the form, answer with a redirect."""
    return redirect("/")
