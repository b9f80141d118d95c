"""The course format, pure: what a course folder means (front matter, quiz syntax, translations,
exam pools, link checks) and how it is read into CourseSpec objects. No Flask, no database."""
