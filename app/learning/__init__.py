"""The learner's pages: her courses, a course, a module, and the files a module shows.

This room sits above the domains it brings together (content, progress, quizzes, certificates,
live sessions, offline reading): they know nothing of it. See docs/architecture.md.
"""
