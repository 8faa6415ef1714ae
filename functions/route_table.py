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
    # -- end of gBizID OpenID Provider routes
    # gBizID: accounts (sign-up, login, logout, password, home)
    # -- end of gBizID account routes
    # gBizID: second factors (TOTP, e-mail and SMS codes, recovery codes)
    # -- end of gBizID second-factor routes
    # gBizID: audit trail and notifications
    # -- end of gBizID audit routes
    # gBizID: Prime applications, members, mandates
    # -- end of gBizID Prime, member and mandate routes
    # gBizINFO: open data by corporate number
    *_operations("hojin_search"),
    Route("hojin_search", "GET", "/hojin/v2/hojin/{corporate_number}"),
    # jGrants: subsidy catalogue (one API per ministry stack)
    *_operations("submit"),
    Route("submit", "GET", "/exp/v1/public/subsidies"),
    # Data exchange: X-Road REST protocol r1
    *_operations("exchange"),
    Route("exchange", "GET", "/r1/{instance}/{member_class}/{member_code}/{subsystem}/listMethods"),
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
