"""Uploaded files stay in memory: a request is at most MAX_CONTENT_LENGTH (refused unread when
larger), so no upload is ever spooled to a temporary file on disk. The verify page promises
that a stranger's PDF is never stored."""

import io
from typing import IO

from flask import Flask, Request


class InMemoryUploadRequest(Request):
    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        return io.BytesIO()


def init_app(app: Flask) -> None:
    app.request_class = InMemoryUploadRequest
