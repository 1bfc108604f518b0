"""Values in the forms HSDS's schemas declare: `uri`, `email`, and a phone's `extension`.

wijkgram accepts what people write ("https://café-de-buurt.nl/agenda?week=ü", an address at
an internationalised domain, "020 123 4567 ext. 12"); the specification's formats are the
ASCII ones of RFC 3986 and RFC 5321, and a phone extension is a number of its own. The exporter
writes the equivalent ASCII form (an IDNA host, percent-encoded characters), or leaves the field
out when there is none; the extension `x_wijkgram` keeps the text as written either way.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

import idna

#: Everything RFC 3986 allows in a URI (reserved and unreserved characters, and "%").
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
#: A "%" that does not start an escape (it is itself encoded).
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: What stays as it is in a path, query and fragment (RFC 3986 pchar, "/" and "?"; "%" escapes).
_SAFE = "/?:@!$&'()*+,;=-._~%"
#: An e-mail local part: dot-atom or quoted string, ASCII (RFC 5321).
_LOCAL = re.compile(
    r"""^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"""
    r"""|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")$"""
)
#: How phonenumbers writes an extension in the international format.
_EXTENSION = re.compile(r"^(?P<number>.+?)\s+ext\.\s*(?P<extension>\d{1,9})$")


def _host(host: str) -> str | None:
    """A host name in ASCII (IDNA 2008, UTS 46 mapping); None when it cannot be one."""
    if host.isascii():
        return host.lower()
    try:
        return str(idna.encode(host, uts46=True).decode("ascii"))
    except idna.IDNAError:
        return None


def uri(value: str | None) -> str | None:
    """A web address as an RFC 3986 URI: its host in IDNA, characters outside URI syntax
    percent-encoded (UTF-8); None when it is no http(s) address with a host."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = _host(parts.hostname)
    if host is None or parts.username is not None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path, query, fragment = (
        quote(_STRAY_PERCENT.sub("%25", piece), safe=_SAFE)
        for piece in (parts.path, parts.query, parts.fragment)
    )
    text = urlunsplit((parts.scheme.lower(), netloc, path, query, fragment))
    return text if _URI.match(text) else None


def email(value: str | None) -> str | None:
    """An e-mail address in ASCII: the domain in IDNA; None when the local part is not ASCII
    (an SMTPUTF8 address has no ASCII form) or the address has no valid form at all."""
    if not value:
        return None
    local, at, domain = value.strip().rpartition("@")
    if not at or not _LOCAL.match(local) or not domain or domain.startswith("["):
        return None
    host = _host(domain)
    if host is None or "." not in host:
        return None
    return f"{local}@{host}"


def phone_parts(number: str) -> tuple[str, int | None]:
    """(number, extension) of a phone as wijkgram writes it ("+31 20 123 4567 ext. 12")."""
    match = _EXTENSION.match(number.strip())
    if not match:
        return number, None
    return match["number"], int(match["extension"])


def phone_text(number: str, extension: object) -> str:
    """A phone with its HSDS extension, written as wijkgram writes one (the inverse of phone_parts)."""
    if extension in (None, ""):
        return number
    try:
        digits = int(float(str(extension)))
    except ValueError:
        return f"{number} ext. {extension}"
    return f"{number} ext. {digits}"
