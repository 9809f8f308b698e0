"""Outcome metrics read from any HTTP endpoint that answers JSON (``type: http_json``)."""

from okrsync_http_json.settings import HttpJsonSettings
from okrsync_http_json.source import HttpJsonSource

__all__ = ["HttpJsonSettings", "HttpJsonSource"]
