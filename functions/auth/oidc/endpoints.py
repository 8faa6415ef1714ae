"""The OpenID Provider's endpoints, from an API Gateway event to a response (the routers only call these).

Authorization: the request is validated by authlib; a request that names an unknown client or a redirect
URI not registered exactly (or twice) is answered with an error page, never a redirect. A valid one is
stored server-side and the browser goes to the login (``prompt=login`` and ``max_age`` force a new
password check), then through the tier gate and the consent screen, and back to the relying party with a
single-use code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal
from urllib.parse import parse_qs, quote, urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import OAuth2Error
from aws_lambda_powertools.event_handler import Response

from functions.auth.dal import ProfileItem, RelyingPartyItem, get_store
from functions.auth.logic.assurance import acr_satisfies
from functions.auth.logic.discovery import resolve_issuer
from functions.auth.mandates import active_mandates_for
from functions.auth.oidc import clock, pages
from functions.auth.oidc.claims import (
    account_type_of,
    consent_lines,
    consent_needed,
    scope_list,
    tier_allowed,
    userinfo_claims,
)
from functions.auth.oidc.provider import GrantUser, Provider, ProviderRequest, token_response
from functions.auth.oidc.store import Authentication, AuthRequest, get_oidc_store
from functions.auth.oidc.tokens import InvalidToken, verify_access_token, verify_id_token_hint
from functions.auth.prime.service import identity_verification
from functions.auth.revocation import access_token_revoked, account_active
from functions.auth.settings import get_settings
from functions.auth.web.layout import parse_form, redirect, request_language, verify_csrf
from functions.auth.web.request import header, raw_event, source_ip, user_agent
from functions.auth.web.session import BrowserSession, current_session, end_session, require_session
from platform_common import aws
from platform_common.digits import is_ascii_digits

Event = Any
MAX_AGE_LIMIT: Final = 10 * 365 * 24 * 3600
PRIOR_SESSION: Final = "_prior_session"  # kept with a prompt=login request: the session that must not count
# Parameters of an authorization request we keep (anything else is dropped before it is stored).
KEPT_PARAMS: Final = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "acr_values",
    "ui_locales",
)


def _record(
    kind: str, outcome: Literal["success", "failure"], event: Event, *, sub: str | None, detail: Mapping[str, str]
) -> None:
    from functions.auth.audit import record_event

    record_event(
        kind,
        outcome=outcome,
        actor_sub=sub,
        subject_sub=sub,
        source_ip=source_ip(event),
        user_agent=user_agent(event),
        detail=detail,
    )


def issuer_of(event: Event) -> str:
    raw = raw_event(event)
    headers = {str(k): str(v) for k, v in (raw.get("headers") or {}).items()}
    context = raw.get("requestContext") or {}
    return resolve_issuer(get_settings().oidc_issuer, headers, context if isinstance(context, dict) else {})


def _multi_query(event: Event) -> dict[str, list[str]]:
    raw = raw_event(event)
    multi = raw.get("multiValueQueryStringParameters") or {}
    if multi:
        return {str(k): [str(v) for v in values] for k, values in multi.items()}
    return {str(k): [str(v)] for k, v in (raw.get("queryStringParameters") or {}).items()}


def _form_lists(event: Event) -> dict[str, list[str]]:
    raw = raw_event(event)
    body = raw.get("body") or ""
    data = base64.b64decode(body) if raw.get("isBase64Encoded") else str(body).encode("utf-8")
    if len(data) > 64 * 1024:
        return {}
    return parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=100)


def _headers(event: Event) -> dict[str, str]:
    raw = raw_event(event)
    return {str(k): str(v) for k, v in (raw.get("headers") or {}).items()}


def _authorize_uri(issuer: str, params: Mapping[str, str]) -> str:
    return f"{issuer}/authorize?{urlencode(params)}"


def _error_response(provider: Provider, error: OAuth2Error, lang: str) -> Response[str]:
    """Back to the relying party only when its redirect URI was validated; otherwise a page."""
    if error.redirect_uri:
        return provider.handle_response(*error())
    return pages.error_page(lang=lang, detail=str(error.description or error.error))


def _redirect_error(event: Event, redirect_uri: str, error: str, state: str | None) -> Response[str]:
    params = [("error", error)] + ([("state", state)] if state else []) + [("iss", issuer_of(event))]
    return Response(
        status_code=302,
        content_type="text/plain",
        body="",
        headers={"Location": add_params_to_uri(redirect_uri, params), "Cache-Control": "no-store"},
    )


def _grant_user(session: BrowserSession) -> GrantUser:
    return GrantUser(Authentication(session.sub, session.auth_time, tuple(session.amr), session.acr))


# -- /oauth/authorize


def start_authorization(event: Event) -> Response[str]:
    """GET /oauth/authorize: validate the request, keep it, and continue (or resume a kept one)."""
    lang = request_language(event)
    query = _multi_query(event)
    resume = query.get("request_id") or (query.get("request") if "client_id" not in query else None)
    if resume:  # back from the login: the kept request (the login page passes it as ``request``)
        stored = get_oidc_store().get_auth_request(resume[-1])
        if stored is None:
            return pages.expired_page(lang=lang)
        return continue_authorization(event, stored)
    issuer = issuer_of(event)
    provider = Provider(issuer)
    request = ProviderRequest("GET", _authorize_uri(issuer, {}), _headers(event), query)
    if not query.get("redirect_uri"):
        return pages.error_page(lang=lang, detail="redirect_uri is required")
    try:
        session = current_session(event)
        grant = provider.get_consent_grant(request, end_user=_grant_user(session) if session else None)
        _check_extra_parameters(request.payload.data, grant.redirect_uri)
    except OAuth2Error as error:
        return _error_response(provider, error, lang)
    except ValueError:  # authlib refuses to quote a value with '"' or '\\' (a crafted redirect URI) in its error
        return pages.error_page(lang=lang, detail="the request has a parameter that is not valid")
    params = {name: request.payload.data[name] for name in KEPT_PARAMS if request.payload.data.get(name)}
    params["scope"] = request.scope  # as validated against the client
    if session is not None and "login" in params.get("prompt", "").split():
        params[PRIOR_SESSION] = session.id_hash  # prompt=login: a new password check means a new session
    stored = get_oidc_store().save_auth_request(params["client_id"], params)
    return continue_authorization(event, stored)


def _check_extra_parameters(data: Mapping[str, str], redirect_uri: str) -> None:
    from authlib.oauth2.rfc6749 import InvalidRequestError

    max_age = data.get("max_age")
    if max_age is not None and (not is_ascii_digits(max_age) or int(max_age) > MAX_AGE_LIMIT):
        raise InvalidRequestError("'max_age' must be a number of seconds", redirect_uri=redirect_uri)
    prompts = set((data.get("prompt") or "").split())
    if not prompts <= {"none", "login", "consent"}:
        raise InvalidRequestError("unsupported 'prompt' value", redirect_uri=redirect_uri)


def _needs_login(session: BrowserSession | None, stored: AuthRequest) -> bool:
    if session is None:
        return True
    params = stored.params
    if "login" in (params.get("prompt") or "").split() and session.id_hash == params.get(PRIOR_SESSION):
        return True
    max_age = params.get("max_age")
    return max_age is not None and clock.now() - session.auth_time > int(max_age)


def _acr_reached(session: BrowserSession, requested: str | None) -> bool:
    wanted = (requested or "").split()
    return not wanted or any(acr_satisfies(session.acr, value) for value in wanted)


def continue_authorization(event: Event, stored: AuthRequest, *, consented: bool = False) -> Response[str]:
    """Login, tier gate, consent, code: whichever the request needs next."""
    lang = request_language(event)
    params = stored.params
    prompts = (params.get("prompt") or "").split()
    session = current_session(event)
    if _needs_login(session, stored):
        if "none" in prompts:
            get_oidc_store().delete_auth_request(stored.id)
            return _redirect_error(event, params["redirect_uri"], "login_required", params.get("state"))
        return_to = f"/oauth/authorize?request_id={stored.id}"
        return redirect(f"/account/login?request={quote(stored.id)}&return_to={quote(return_to, safe='/')}")
    if session is None:  # pragma: no cover  (_needs_login answers a missing session)
        raise RuntimeError("no session")
    client = get_store().get_relying_party(stored.client_id)
    profile = get_store().get_profile(session.sub)
    if client is None:
        return pages.expired_page(lang=lang)
    refusal = _tier_gate(event, lang, session, profile, client, params)
    if refusal is not None:
        return refusal
    scopes = scope_list(params.get("scope"))
    granted = get_oidc_store().granted_scopes(session.sub, client.client_id)
    if not consented and consent_needed(scopes, granted, prompts):
        if "none" in prompts:
            get_oidc_store().delete_auth_request(stored.id)
            return _redirect_error(event, params["redirect_uri"], "consent_required", params.get("state"))
        name = pages.client_name(lang, client.client_name, client.name_en)
        return pages.consent_page(
            lang=lang, session=session, request_id=stored.id, client=name, lines=consent_lines(scopes, lang)
        )
    return _issue_code(event, stored, session)


def _tier_gate(
    event: Event,
    lang: str,
    session: BrowserSession,
    profile: ProfileItem | None,
    client: RelyingPartyItem,
    params: Mapping[str, str],
) -> Response[str] | None:
    if profile is not None and tier_allowed(profile, client) and _acr_reached(session, params.get("acr_values")):
        return None
    yours = account_type_of(profile) if profile else None
    _record(
        "login.failed",
        "failure",
        event,
        sub=session.sub,
        detail={"client_id": client.client_id, "reason": "account_type_not_allowed", "account_type": yours or "-"},
    )
    name = pages.client_name(lang, client.client_name, client.name_en)
    return pages.tier_refused_page(lang=lang, client=name, allowed=client.allowed_account_types, yours=yours)


def _issue_code(event: Event, stored: AuthRequest, session: BrowserSession) -> Response[str]:
    issuer = issuer_of(event)
    provider = Provider(issuer)
    query = {name: [value] for name, value in stored.params.items() if name in KEPT_PARAMS}
    request = ProviderRequest("GET", _authorize_uri(issuer, {}), _headers(event), query)
    user = _grant_user(session)
    try:
        grant = provider.get_consent_grant(request, end_user=user)
    except OAuth2Error as error:
        return _error_response(provider, error, request_language(event))
    get_oidc_store().delete_auth_request(stored.id)  # one code per stored request
    response: Response[str] = provider.create_authorization_response(request=request, grant_user=user, grant=grant)
    _record(
        "login.succeeded",
        "success",
        event,
        sub=session.sub,
        detail={"client_id": stored.client_id, "acr": session.acr, "amr": " ".join(session.amr)},
    )
    return response


def answer_consent(event: Event) -> Response[str]:
    """POST /oauth/authorize: the consent screen's answer (CSRF-checked)."""
    lang = request_language(event)
    session = require_session(event)
    form = parse_form(event)
    verify_csrf(session, form)
    stored = get_oidc_store().get_auth_request(form.get("request_id", ""))
    if stored is None:
        return pages.expired_page(lang=lang)
    params = stored.params
    if form.get("decision") != "allow":
        get_oidc_store().delete_auth_request(stored.id)
        _record("consent.granted", "failure", event, sub=session.sub, detail={"client_id": stored.client_id})
        return _redirect_error(event, params["redirect_uri"], "access_denied", params.get("state"))
    scopes = frozenset(scope_list(params.get("scope")))
    get_oidc_store().save_consent(session.sub, stored.client_id, scopes)
    _record(
        "consent.granted",
        "success",
        event,
        sub=session.sub,
        detail={"client_id": stored.client_id, "scope": " ".join(sorted(scopes))},
    )
    return continue_authorization(event, stored, consented=True)


# -- /oauth/token


def token(event: Event) -> Response[str]:
    issuer = issuer_of(event)
    request = ProviderRequest("POST", f"{issuer}/token", _headers(event), {}, _form_lists(event))
    return token_response(Provider(issuer), request)


# -- /oauth/userinfo


def _bearer(event: Event) -> str | None:
    value = header(event, "authorization") or ""
    scheme, _, credential = value.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


def _unauthorized(error: str = "invalid_token") -> Response[str]:
    return Response(
        status_code=401,
        content_type="application/json",
        body=json.dumps({"error": error}),
        headers={"WWW-Authenticate": f'Bearer error="{error}"', "Cache-Control": "no-store"},
    )


def _corporation(corporate_number: str | None) -> dict[str, Any] | None:
    if not corporate_number:
        return None
    item = (
        aws.client("dynamodb")
        .get_item(TableName=get_settings().hojin_table_name, Key={"corporate_number": {"S": corporate_number}})
        .get("Item")
    )
    if item is None or "document" not in item:
        return None
    document: dict[str, Any] = json.loads(item["document"]["S"])
    return document


def _cognito_attributes(profile: ProfileItem) -> dict[str, str]:
    cognito = aws.client("cognito-idp")
    try:
        found = cognito.admin_get_user(UserPoolId=get_settings().user_pool_id, Username=profile.email)
    except cognito.exceptions.UserNotFoundException:
        return {}
    return {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}


def _mandates(sub: str) -> list[dict[str, Any]]:
    return list(active_mandates_for(sub))


def userinfo(event: Event) -> Response[str]:
    bearer = _bearer(event)
    if bearer is None:
        return _unauthorized("invalid_request")
    issuer = issuer_of(event)
    try:
        claims = verify_access_token(bearer, issuer)
    except InvalidToken:
        return _unauthorized()
    family = claims.get("fid")
    if isinstance(family, str) and get_oidc_store().family_revoked(family):
        return _unauthorized()
    profile = get_store().get_profile(str(claims["sub"]))
    client = get_store().get_relying_party(str(claims.get("client_id", "")))
    if profile is None or client is None:
        return _unauthorized()
    # A suspended, disabled or deleted account, or one whose access was revoked since (password change,
    # factor removed): its access tokens are refused at once, not when they expire.
    if access_token_revoked(profile.sub, claims.get("iat")) or not account_active(profile):
        return _unauthorized()
    scopes: Sequence[str] = scope_list(str(claims.get("scope", "")))
    attributes = _cognito_attributes(profile) if {"email", "user"} & set(scopes) else {}
    body = userinfo_claims(
        profile=profile,
        scopes=scopes,
        corporation=_corporation(profile.corporate_number)
        if "profile" in scopes or "jp_gbizid_v1_ida" in scopes
        else None,
        email_verified=attributes.get("email_verified", "false") == "true",
        user_attributes=attributes,
        mandates=_mandates(profile.sub) if "mandate" in scopes else [],
        ida_approved=client.ida_approved,
        verification=identity_verification(profile.sub) if "jp_gbizid_v1_ida" in scopes else None,
    )
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers={"Cache-Control": "no-store"},
    )


# -- /oauth/logout (RP-initiated logout)


def logout(event: Event, method: str) -> Response[str]:
    lang = request_language(event)
    values = {k: v[-1] for k, v in _multi_query(event).items() if v}
    if method == "POST":
        form = parse_form(event)
        values.update(form)
    issuer = issuer_of(event)
    hint = verify_id_token_hint(values["id_token_hint"], issuer) if values.get("id_token_hint") else None
    client_id = hint["aud"] if hint else values.get("client_id")
    client = get_store().get_relying_party(client_id) if isinstance(client_id, str) and client_id else None
    target = values.get("post_logout_redirect_uri")
    if target and (client is None or target not in client.post_logout_redirect_uris):
        return pages.error_page(lang=lang, detail="post_logout_redirect_uri is not registered")
    session = current_session(event)
    if session is not None:
        confirmed = hint is not None and hint.get("sub") == session.sub
        if not confirmed and method == "POST":
            verify_csrf(session, values)
            confirmed = True
        if not confirmed:
            keep = {k: values.get(k, "") for k in ("post_logout_redirect_uri", "state", "client_id")}
            return pages.logout_confirm_page(lang=lang, session=session, hidden=keep)
        _record("session.ended", "success", event, sub=session.sub, detail={"client_id": client_id or "-"})
    cookie = end_session(event)
    if target:
        state = values.get("state")
        location = add_params_to_uri(target, [("state", state)]) if state else target
        return redirect(location, cookies=[cookie])
    return pages.signed_out_page(lang=lang, cookies=[cookie])
