"""Several Lambda functions in one process: give each request thread its own powertools "current event" and
its own log keys.

powertools' resolvers keep the event being handled in class attributes of ``BaseRouter``
(``BaseRouter.current_event = ...`` in ``resolve``), shared by every resolver of the process. In Lambda one
process serves one request at a time, so that is safe there. The devstack runs the four functions as threads
of one process: while a jGrants request is handled, its call to the OpenID Provider's ``userinfo`` (another
thread) replaced the jGrants handler's event with the provider's. This module moves those two attributes into
thread-local storage, for the devstack only, by giving ``BaseRouter`` a metaclass whose data descriptors
intercept the class-level reads and writes; instance reads (``app.current_event``) go through a descriptor in
the class itself. Each werkzeug request runs in its own thread, so each handler sees its own event.

Each resolver's routing ``context`` (the matched route, its arguments, the parsed request) is one dict per
resolver, emptied at the end of every request: a second request of the same function at the same moment lost
its route halfway (``KeyError: '_route'``). It is kept per thread as well.

The logger's keys (the Lambda context, the correlation id) are kept by powertools in one dict per logger; with
several requests of one function at a time (the gateway allows a few, as Lambda runs several execution
environments), one request's id would be written on another's lines. Its formatter has thread-safe variants
of the same methods (keys in a context variable, which each werkzeug thread has of its own): the devstack uses
those for every request.
"""

from __future__ import annotations

import abc
import threading
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter
from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_SHARED_ATTRIBUTES = ("current_event", "lambda_context")
_state = threading.local()


class _PerThread:
    """The attribute's value for the calling thread (``None`` until this thread sets it)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return getattr(_state, self.name, None)

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(_state, self.name, value)


class _PerThreadContext:
    """A resolver's routing context for the calling thread (an empty dict on its first use there)."""

    def __get__(self, resolver: Any, owner: Any = None) -> Any:
        if resolver is None:
            return self
        contexts = _state.__dict__.setdefault("contexts", {})
        return contexts.setdefault(id(resolver), {})

    def __set__(self, resolver: Any, value: Any) -> None:
        _state.__dict__.setdefault("contexts", {})[id(resolver)] = value


class _PerThreadRouterMeta(abc.ABCMeta):
    current_event = _PerThread("current_event")
    lambda_context = _PerThread("lambda_context")


def _thread_log_keys(formatter: LambdaPowertoolsFormatter) -> dict[str, Any]:
    return {**formatter.log_format, **formatter.thread_safe_get_current_keys()}


def _thread_correlation_id(logger: Logger) -> str | None:
    keys = logger.registered_formatter.thread_safe_get_current_keys()
    if "correlation_id" in keys:
        return keys["correlation_id"]  # type: ignore[no-any-return]
    return logger.registered_formatter.log_format.get("correlation_id")  # type: ignore[attr-defined,no-any-return]


def isolate_request_threads() -> None:
    """Make powertools' request state and log keys per thread (idempotent)."""
    if type(BaseRouter) is _PerThreadRouterMeta:
        return
    ApiGatewayResolver.context = _PerThreadContext()  # type: ignore[assignment]
    formatter: Any = LambdaPowertoolsFormatter
    formatter.append_keys = formatter.thread_safe_append_keys
    formatter.remove_keys = formatter.thread_safe_remove_keys
    formatter.get_current_keys = _thread_log_keys
    Logger.get_correlation_id = _thread_correlation_id  # type: ignore[method-assign,assignment]
    for name in _SHARED_ATTRIBUTES:  # first, while plain assignment still sets the class's own attribute
        setattr(BaseRouter, name, _PerThread(name))  # instance reads (``app.current_event``)
    # class-level reads and writes (``BaseRouter.current_event = e``): swap the metaclass of the existing class
    BaseRouter.__class__ = _PerThreadRouterMeta  # type: ignore[method-assign,assignment]
