"""Saving searches from the page, and marking a saved search's matches seen: the only requests of the page
that write, and only when ``archive serve --allow-saving`` allows them (otherwise they are refused with a
403 and the forms are not shown; every GET writes nothing in either mode).

**Cross-site requests.** A form that writes is guarded twice. (1) The browser's own word: a request whose
``Sec-Fetch-Site`` is not ``same-origin`` (or ``none``: typed by the user), or whose ``Origin`` is another
site's, is refused (``Origin: null``, which Chromium sends under our ``Referrer-Policy: no-referrer``, is
no word either way). (2) A token: the page that shows a form sets a random nonce in a cookie (HttpOnly,
``SameSite=Strict``) and puts ``nonce.HMAC(secret, nonce)`` in the form; a POST must bring both, and they
must agree. Another site can neither read the token nor set the cookie, and a forged token needs the
secret. The secret is the serving process's (random at start; ``archive serve`` hands it to each of its
workers through the environment, so a form shown by one worker is accepted by another); a restart
makes forms shown before it stale (a reload mends them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from archive.api import SavedSearch
from archive.config import MAX_SAVED_NAME
from archive.errors import QueryError
from archive.web.common import (
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    MAX_VALUES,
    Problem,
    archives_of,
    language,
    link,
)

router = APIRouter()
#: The cookie holding the nonce the forms' tokens are made from.
COOKIE = "archive_form"
#: Bytes of a form's body at most (a name, a query of MAX_QUERY_CHARS, a few filters, percent-encoded).
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Saving:
    """Whether the page may save searches, and the secret its forms' tokens are signed with."""

    allowed: bool = False
    secret: bytes = b""

    @classmethod
    def of(cls, allowed: bool, secret: str | None) -> Saving:
        if not allowed:
            return cls()
        return cls(True, bytes.fromhex(secret) if secret else secrets.token_bytes(32))

    def token(self, nonce: str) -> str:
        return nonce + "." + hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()

    def accepts(self, token: str, nonce: str | None) -> bool:
        return bool(nonce) and hmac.compare_digest(token.encode(), self.token(nonce or "").encode())


def saving_of(request: Request) -> Saving:
    found: Saving = getattr(request.app.state, "saving", Saving())
    return found


def form_token(request: Request, response: Response) -> str | None:
    """The token for this page's forms (None when saving is off), setting the cookie it needs when the
    browser has none yet."""
    saving = saving_of(request)
    if not saving.allowed:
        return None
    nonce = request.cookies.get(COOKIE)
    if not nonce or len(nonce) != 32 or not nonce.isalnum():
        nonce = secrets.token_hex(16)
        response.set_cookie(
            COOKIE, nonce, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
        )
    return saving.token(nonce)


async def _form(request: Request) -> dict[str, list[str]]:
    """The checked form of a writing request: saving allowed, sent from this site, with a good token."""
    saving = saving_of(request)
    if not saving.allowed:
        raise Problem(403, "saving_off")
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    elsewhere = site is not None and site not in ("same-origin", "none")
    # (``Origin: null`` says nothing: Chromium sends it for a form of a page whose Referrer-Policy is
    # no-referrer, as ours is; Sec-Fetch-Site and the token decide then)
    if elsewhere or (origin not in (None, "null") and not _ours(request, origin or "")):
        raise Problem(403, "cross_site")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Problem(400, "form_too_large", limit=MAX_FORM_BYTES)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=2 * MAX_VALUES + 10)
    except (UnicodeDecodeError, ValueError) as error:
        raise Problem(400, "bad_form") from error
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    if not saving.accepts(_one(form, "token"), request.cookies.get(COOKIE)):
        raise Problem(403, "stale_form")
    return form


def _ours(request: Request, origin: str) -> bool:
    """Whether ``origin`` is this server: the address the request came to, or the configured base address."""
    own = {f"{request.url.scheme}://{request.url.netloc}"}
    configured: str | None = getattr(request.app.state, "base_url", None)
    if configured:
        parts = urlsplit(configured)
        own.add(f"{parts.scheme}://{parts.netloc}")
    return origin in own


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def _listed(form: dict[str, list[str]], name: str) -> tuple[str, ...]:
    kept = tuple(dict.fromkeys(v.strip() for v in form.get(name, []) if v.strip()))
    if len(kept) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in kept):
        raise Problem(400, "bad_form")
    return kept


# (the page's forms, not an API: left out of the OpenAPI document, which describes what reads)
@router.post("/watch", name="watch_save", include_in_schema=False)
async def save_search(request: Request) -> Response:
    form = await _form(request)
    lang = language(_one(form, "lang"))
    name, query = _one(form, "name").strip(), _one(form, "q").strip()
    if not name:
        raise Problem(400, "save_no_name")
    if len(name) > MAX_SAVED_NAME:
        raise Problem(400, "save_name_too_long", length=len(name), limit=MAX_SAVED_NAME)
    if not query or len(query) > MAX_QUERY_CHARS:
        raise Problem(400, "save_no_query")
    saved = SavedSearch(
        name=name,
        query=query,
        sources=_listed(form, "source"),
        categories=_listed(form, "category"),
        since=_one(form, "since").strip() or None,
        until=_one(form, "until").strip() or None,
    )
    with archives_of(request).reader() as archive:
        if name in archive.watch_names():
            raise Problem(400, "save_name_taken", name=name)
        try:
            archive.watch_add(saved)
        except QueryError as error:
            raise Problem(400, "save_refused", reason=str(error)) from error
    return RedirectResponse(link("/watch", {"lang": lang, "saved": name}), status_code=303)


@router.post("/watch/{name}/seen", name="watch_seen", include_in_schema=False)
async def mark_seen(request: Request, name: str) -> Response:
    form = await _form(request)
    lang = language(_one(form, "lang"))
    with archives_of(request).reader() as archive:
        archive.watch_mark_all_seen(name)
    return RedirectResponse(link("/watch", {"lang": lang}), status_code=303)
