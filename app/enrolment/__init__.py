"""Bringing learners in: spreadsheet imports, intakes, enrolment, login slips."""
