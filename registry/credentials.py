"""Keep a PostgreSQL password out of every message: mask it in URLs and in the database engine's own errors.

A password can sit in the URL's user part (`postgresql://alice:secret@host/db`, even with an unencoded `@`
in it: the user part runs to the last `@`), or in a `password=` query parameter. Better, it stays out of the
URL: libpq reads `PGPASSWORD`, `~/.pgpass` and `PGSERVICE` service files for the connection DuckDB's postgres
extension opens (docs/disclosure.md).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

MASK = "***"
#: libpq's words when the server wants a password it was not given, or refused the one given.
_LOGIN_FAILURES = ("no password supplied", "password authentication failed")
LOGIN_HINT = (
    "give the password with PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service file (PGSERVICEFILE and "
    "?service=NAME in the URL) rather than in the URL; see docs/disclosure.md"
)
_PASSWORD_PARAMETER = re.compile(r"(?i)([?&]password=)[^&#]*")


def url_passwords(url: str) -> list[str]:
    """Return the passwords a PostgreSQL URL carries (user part and `password=`), as written and decoded."""
    _, sep, rest = url.partition("://")
    if not sep:
        return []
    query_start = rest.find("?") if "?" in rest else len(rest)
    userinfo = rest[: max(rest.rfind("@", 0, query_start), 0)]
    found = [userinfo.split(":", 1)[1]] if ":" in userinfo else []
    query = rest[query_start + 1 :].partition("#")[0]
    found += [value for key, value in parse_qsl(query, keep_blank_values=True) if key.lower() == "password"]
    passwords = [p for p in found if p]
    return sorted({*passwords, *(unquote(p) for p in passwords)}, key=len, reverse=True)


def masked_url(url: str) -> str:
    """Return `url` with every password replaced by `***`."""
    return mask(url, url)


def mask(text: str, url: str) -> str:
    """Return `text` (e.g. an engine's error) with `url`'s passwords, and every piece of them, masked."""
    text = _PASSWORD_PARAMETER.sub(rf"\1{MASK}", text)
    for password in url_passwords(url):
        for piece in [password, *(p for p in password.split("@") if len(p) >= 3)]:
            text = text.replace(piece, MASK)
    return text


def login_hint(message: str) -> str:
    """Return `message` with where to give a password appended when the server refused the login for want of one."""
    return f"{message}; {LOGIN_HINT}" if any(f in message for f in _LOGIN_FAILURES) else message
