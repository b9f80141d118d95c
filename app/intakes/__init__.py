"""Intakes (đợt) of a course: the model only, low enough for every record and report to point at.

Creating and filling intakes is enrolment's work (app/enrolment)."""
