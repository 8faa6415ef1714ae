"""Every public route of the platform, declared once.

The CDK constructs build each service's REST API from this table, the devstack gateway dispatches with it,
and a test checks that each service's resolver answers exactly these routes. Paths keep the real
systems' shapes (gBizINFO under ``/hojin``, jGrants under ``/exp/v1/public``, X-Road's ``/r1``, gBizID's
``/oauth``), so one host serves all four without collisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Service = Literal["auth", "submit", "hojin_search", "exchange"]
SERVICES: tuple[Service, ...] = ("auth", "submit", "hojin_search", "exchange")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Route:
    service: Service
    method: Method
    path: str  # API Gateway resource path: "{name}" is one segment, "{name+}" the rest of the path

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)


def _compile(path: str) -> re.Pattern[str]:
    parts = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{segment[1:-2]}>.+)")
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "$")


def _operations(service: Service) -> tuple[Route, ...]:
    return (Route(service, "GET", f"/{service}/health"), Route(service, "GET", f"/{service}/openapi.json"))


ROUTES: tuple[Route, ...] = (
    # gBizID: OpenID Provider
    *_operations("auth"),
    Route("auth", "GET", "/oauth/.well-known/openid-configuration"),
    Route("auth", "GET", "/oauth/jwks"),
    # gBizID: OpenID Provider protocol endpoints and the relying-party registry
    Route("auth", "GET", "/oauth/authorize"),
    Route("auth", "POST", "/oauth/authorize"),
    Route("auth", "POST", "/oauth/token"),
    Route("auth", "GET", "/oauth/userinfo"),
    Route("auth", "POST", "/oauth/userinfo"),
    Route("auth", "GET", "/oauth/logout"),
    Route("auth", "POST", "/oauth/logout"),
    Route("auth", "GET", "/operator/relying-parties"),
    Route("auth", "POST", "/operator/relying-parties"),
    Route("auth", "GET", "/operator/relying-parties/new"),
    Route("auth", "GET", "/operator/relying-parties/{client_id}"),
    Route("auth", "POST", "/operator/relying-parties/{client_id}"),
    # -- end of gBizID OpenID Provider routes
    # gBizID: accounts (sign-up, login, logout, password, home)
    Route("auth", "GET", "/account/signup"),
    Route("auth", "POST", "/account/signup"),
    Route("auth", "GET", "/account/signup/verify"),
    Route("auth", "POST", "/account/signup/verify"),
    Route("auth", "GET", "/account/login"),
    Route("auth", "POST", "/account/login"),
    Route("auth", "GET", "/account/login/second-factor"),
    Route("auth", "POST", "/account/login/second-factor"),
    Route("auth", "POST", "/account/logout"),
    Route("auth", "GET", "/account"),
    Route("auth", "GET", "/account/password"),
    Route("auth", "POST", "/account/password"),
    # -- end of gBizID account routes
    # gBizID: second factors (TOTP, e-mail and SMS codes, recovery codes)
    Route("auth", "GET", "/account/factors"),
    Route("auth", "POST", "/account/factors"),
    Route("auth", "GET", "/account/factors/totp"),
    Route("auth", "POST", "/account/factors/totp"),
    Route("auth", "GET", "/account/factors/email"),
    Route("auth", "POST", "/account/factors/email"),
    Route("auth", "GET", "/account/factors/sms"),
    Route("auth", "POST", "/account/factors/sms"),
    Route("auth", "GET", "/account/factors/recovery-codes"),
    Route("auth", "POST", "/account/factors/recovery-codes"),
    # -- end of gBizID second-factor routes
    # gBizID: audit trail and notifications
    Route("auth", "GET", "/account/activity"),
    Route("auth", "GET", "/operator/audit"),
    Route("auth", "GET", "/operator/audit/verify"),
    # -- end of gBizID audit routes
    # gBizID: Prime applications, members, mandates
    Route("auth", "GET", "/account/prime"),
    Route("auth", "POST", "/account/prime"),
    Route("auth", "GET", "/operator/prime-applications"),
    Route("auth", "GET", "/operator/prime-applications/{application_id}"),
    Route("auth", "POST", "/operator/prime-applications/{application_id}"),
    Route("auth", "GET", "/operator/prime-applications/{application_id}/seal-certificate"),
    Route("auth", "GET", "/account/members"),
    Route("auth", "POST", "/account/members"),
    Route("auth", "GET", "/account/members/accept"),
    Route("auth", "POST", "/account/members/accept"),
    Route("auth", "POST", "/account/members/{member_sub}"),
    Route("auth", "GET", "/account/mandates"),
    Route("auth", "POST", "/account/mandates"),
    Route("auth", "POST", "/account/mandates/{mandate_id}/revoke"),
    # -- end of gBizID Prime, member and mandate routes
    # gBizID: operator account actions (disable, re-enable; revokes sessions and tokens)
    Route("auth", "GET", "/operator/accounts/{sub}"),
    Route("auth", "POST", "/operator/accounts/{sub}"),
    # -- end of gBizID operator account routes
    # gBizINFO: open data by corporate number
    *_operations("hojin_search"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/{corporate_number}"),
    # gBizINFO: REST API v1/v2 search, parts, updateInfo, suggest
    Route("hojin_search", "GET", "/hojin/v2/hojin"),
    Route("hojin_search", "GET", "/hojin/v1/hojin"),
    Route("hojin_search", "GET", "/hojin/v1/hojin/{corporate_number}"),
    *(
        Route("hojin_search", "GET", f"/hojin/v2/hojin/{{corporate_number}}/{part}")
        for part in (
            "certification",
            "commendation",
            "finance",
            "patent",
            "procurement",
            "subsidy",
            "workplace",
            "corporation",
        )
    ),
    *(
        Route("hojin_search", "GET", f"/hojin/v1/hojin/{{corporate_number}}/{part}")
        for part in ("certification", "commendation", "finance", "patent", "procurement", "subsidy", "workplace")
    ),
    Route("hojin_search", "GET", "/hojin/v2/hojin/updateInfo"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/updateInfo/{part}"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/SuggestNames"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/SuggestBusinessNames"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/SuggestSubsidyNames"),
    # -- end of gBizINFO REST routes
    # gBizINFO: SPARQL endpoint and query page
    Route("hojin_search", "GET", "/hojin/sparql"),
    Route("hojin_search", "POST", "/hojin/sparql"),
    Route("hojin_search", "GET", "/hojin/sparql/query"),
    # -- end of gBizINFO SPARQL routes
    # gBizINFO: API tokens, bulk downloads, search pages
    Route("hojin_search", "GET", "/hojin/v2/tokens"),
    Route("hojin_search", "POST", "/hojin/v2/tokens"),
    Route("hojin_search", "DELETE", "/hojin/v2/tokens/{token_id}"),
    # the token page (signed in through gBizID as a relying party)
    Route("hojin_search", "GET", "/hojin/tokens"),
    Route("hojin_search", "POST", "/hojin/tokens"),
    Route("hojin_search", "POST", "/hojin/tokens/revoke"),
    Route("hojin_search", "POST", "/hojin/tokens/logout"),
    Route("hojin_search", "GET", "/hojin/tokens/login"),
    Route("hojin_search", "GET", "/hojin/tokens/callback"),
    Route("hojin_search", "GET", "/hojin/bulk"),
    Route("hojin_search", "GET", "/hojin/search"),
    Route("hojin_search", "GET", "/hojin/corporations/{corporate_number}"),
    # -- end of gBizINFO token, bulk and page routes
    # jGrants: subsidy catalogue (one API per ministry stack)
    *_operations("submit"),
    Route("submit", "GET", "/exp/v1/public/subsidies"),
    Route("submit", "GET", "/exp/v1/public/subsidies/id/{subsidy_id}"),
    # jGrants: the ministry operators' catalogue and staff registry; users' saved searches
    Route("submit", "GET", "/submit/v1/operator/subsidies"),
    Route("submit", "POST", "/submit/v1/operator/subsidies"),
    Route("submit", "GET", "/submit/v1/operator/subsidies/{subsidy_id}"),
    Route("submit", "PUT", "/submit/v1/operator/subsidies/{subsidy_id}"),
    Route("submit", "GET", "/submit/v1/operator/staff"),
    Route("submit", "PUT", "/submit/v1/operator/staff/{sub}"),
    Route("submit", "DELETE", "/submit/v1/operator/staff/{sub}"),
    Route("submit", "GET", "/submit/v1/saved-searches"),
    Route("submit", "POST", "/submit/v1/saved-searches"),
    Route("submit", "DELETE", "/submit/v1/saved-searches/{search_id}"),
    # -- end of jGrants operator and saved-search routes
    # jGrants: the applicant's applications (drafts, prefill, attachments, submission)
    Route("submit", "GET", "/submit/v1/applications"),
    Route("submit", "POST", "/submit/v1/applications"),
    Route("submit", "GET", "/submit/v1/applications/{application_id}"),
    Route("submit", "PATCH", "/submit/v1/applications/{application_id}"),
    Route("submit", "GET", "/submit/v1/applications/{application_id}/prefill"),
    Route("submit", "POST", "/submit/v1/applications/{application_id}/attachments"),
    Route("submit", "POST", "/submit/v1/applications/{application_id}/attachments/{attachment_id}/complete"),
    Route("submit", "POST", "/submit/v1/applications/{application_id}/submit"),
    Route("submit", "POST", "/submit/v1/applications/{application_id}/withdraw"),
    # jGrants: the ministry's reviewers (queue, audited reads, decisions by task token)
    Route("submit", "GET", "/submit/v1/review/applications"),
    Route("submit", "GET", "/submit/v1/review/applications/{application_id}"),
    Route("submit", "POST", "/submit/v1/review/applications/{application_id}/decision"),
    # -- end of jGrants applicant routes
    # jGrants: the portal pages (signed in through gBizID as the relying party jgrants-<ministry>)
    Route("submit", "GET", "/jgrants/subsidies"),
    Route("submit", "GET", "/jgrants/subsidies/{subsidy_id}"),
    Route("submit", "POST", "/jgrants/subsidies/{subsidy_id}/apply"),
    Route("submit", "GET", "/jgrants/applications"),
    Route("submit", "GET", "/jgrants/applications/{application_id}"),
    Route("submit", "POST", "/jgrants/applications/{application_id}"),
    Route("submit", "POST", "/jgrants/applications/{application_id}/attachments"),
    Route("submit", "POST", "/jgrants/applications/{application_id}/submit"),
    Route("submit", "GET", "/jgrants/applications/{application_id}/receipt"),
    Route("submit", "POST", "/jgrants/applications/{application_id}/withdraw"),
    Route("submit", "GET", "/jgrants/saved-searches"),
    Route("submit", "POST", "/jgrants/saved-searches"),
    Route("submit", "POST", "/jgrants/saved-searches/{search_id}/delete"),
    # jGrants: the ministry staff's pages (reviewers and operators of this ministry's staff registry)
    Route("submit", "GET", "/jgrants/review"),
    Route("submit", "GET", "/jgrants/review/applications/{application_id}"),
    Route("submit", "POST", "/jgrants/review/applications/{application_id}/decision"),
    Route("submit", "GET", "/jgrants/operator/subsidies"),
    Route("submit", "POST", "/jgrants/operator/subsidies"),
    Route("submit", "GET", "/jgrants/operator/subsidies/new"),
    Route("submit", "GET", "/jgrants/operator/subsidies/{subsidy_id}"),
    Route("submit", "POST", "/jgrants/operator/subsidies/{subsidy_id}"),
    Route("submit", "GET", "/jgrants/operator/staff"),
    Route("submit", "POST", "/jgrants/operator/staff"),
    Route("submit", "POST", "/jgrants/operator/staff/{sub}/remove"),
    Route("submit", "GET", "/jgrants/login"),
    Route("submit", "GET", "/jgrants/callback"),
    Route("submit", "POST", "/jgrants/logout"),
    # -- end of jGrants portal page routes
    # Data exchange: X-Road REST protocol r1
    *_operations("exchange"),
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/listMethods"),
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/allowedMethods"),
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/getOpenAPI"),
    Route("exchange", "GET", "/r1/{instance}/listClients"),
    Route("exchange", "GET", "/r1/{instance}/keys"),
    # a service call, with an optional path of one segment (the corporate number, for the shipped services)
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/{service}"),
    Route("exchange", "POST", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/{service}"),
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/{service}/{path}"),
    Route("exchange", "POST", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/{service}/{path}"),
    # -- end of data exchange protocol routes
    # Data exchange: registry administration and consents (gBizID access tokens)
    Route("exchange", "GET", "/exchange/v1/members"),
    Route("exchange", "POST", "/exchange/v1/members"),
    Route("exchange", "GET", "/exchange/v1/members/{member_class}/{member_code}/subsystems"),
    Route("exchange", "POST", "/exchange/v1/members/{member_class}/{member_code}/subsystems"),
    Route("exchange", "PUT", "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/keys"),
    Route("exchange", "GET", "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/services"),
    Route(
        "exchange",
        "PUT",
        "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/services/{service_code}",
    ),
    Route("exchange", "GET", "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/rights"),
    Route("exchange", "POST", "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/rights"),
    Route("exchange", "POST", "/exchange/v1/members/{member_class}/{member_code}/subsystems/{subsystem}/rights/revoke"),
    Route("exchange", "GET", "/exchange/v1/consents"),
    Route("exchange", "POST", "/exchange/v1/consents"),
    Route("exchange", "POST", "/exchange/v1/consents/{consent_id}/revoke"),
    Route("exchange", "GET", "/exchange/v1/access-history"),
    # Data exchange: the portal pages (signed in through gBizID as the relying party exchange-portal)
    Route("exchange", "GET", "/exchange/portal"),
    Route("exchange", "GET", "/exchange/login"),
    Route("exchange", "GET", "/exchange/callback"),
    Route("exchange", "POST", "/exchange/logout"),
    Route("exchange", "GET", "/exchange/members"),
    Route("exchange", "POST", "/exchange/members"),
    Route("exchange", "GET", "/exchange/members/{member_class}/{member_code}"),
    Route("exchange", "POST", "/exchange/members/{member_class}/{member_code}/subsystems"),
    Route("exchange", "GET", "/exchange/members/{member_class}/{member_code}/subsystems/{subsystem}"),
    Route("exchange", "POST", "/exchange/members/{member_class}/{member_code}/subsystems/{subsystem}/keys"),
    Route("exchange", "POST", "/exchange/members/{member_class}/{member_code}/subsystems/{subsystem}/services"),
    Route("exchange", "POST", "/exchange/members/{member_class}/{member_code}/subsystems/{subsystem}/rights"),
    Route("exchange", "POST", "/exchange/members/{member_class}/{member_code}/subsystems/{subsystem}/rights/revoke"),
    Route("exchange", "GET", "/exchange/consents"),
    Route("exchange", "POST", "/exchange/consents"),
    Route("exchange", "POST", "/exchange/consents/revoke"),
    # -- end of data exchange administration and portal routes
)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


def match_route(method: str, path: str) -> RouteMatch | None:
    """Find the route for a request. Static paths win over templated ones, as in API Gateway."""
    candidates = sorted(ROUTES, key=lambda r: r.path.count("{"))
    for route in candidates:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return RouteMatch(route, found.groupdict())
    return None


def routes_of(service: Service) -> tuple[Route, ...]:
    return tuple(r for r in ROUTES if r.service == service)
