"""Request and response objects (given; the features build on them)."""
from dataclasses import dataclass, field
from typing import Dict, Optional


@dataclass
class Request:
    method: str
    path: str
    headers: Dict[str, str] = field(default_factory=dict)
    body: Optional[str] = None

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A header by name, case-insensitively."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default


@dataclass
class Response:
    status: int
    headers: Dict[str, str] = field(default_factory=dict)
    body: str = ""


class HttpError(Exception):
    """Raised by a handler to answer with an error status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
