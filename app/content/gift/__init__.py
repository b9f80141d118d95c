"""Moodle GIFT question banks: the codec to and from Hocso's quiz Markdown, and the commands."""
