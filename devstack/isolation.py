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
environments), one request's id would be written on another's lines. The keys a logger adds are kept per
thread and per logger here. (powertools' own "thread-safe" variants keep them in one context variable shared by
every logger: a logger created in a thread then gave its ``service`` to every other logger's lines there.)
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter
from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging import formatter as powertools_formatter
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


def _thread_keys(formatter: LambdaPowertoolsFormatter) -> dict[str, Any]:
    """The keys this thread added to this logger (the logger's own, set when it was created, stay in
    ``log_format``)."""
    by_formatter: dict[int, dict[str, Any]] = _state.__dict__.setdefault("log_keys", {})
    return by_formatter.setdefault(id(formatter), {})


def _append_keys(formatter: LambdaPowertoolsFormatter, **additional_keys: Any) -> None:
    _thread_keys(formatter).update(additional_keys)


def _remove_keys(formatter: LambdaPowertoolsFormatter, keys: Iterable[str]) -> None:
    for key in keys:
        _thread_keys(formatter).pop(key, None)


def _clear_keys(formatter: LambdaPowertoolsFormatter) -> None:
    _thread_keys(formatter).clear()


def _current_keys(formatter: LambdaPowertoolsFormatter) -> dict[str, Any]:
    return {**formatter.log_format, **_thread_keys(formatter)}


_format_record = LambdaPowertoolsFormatter.format


def _format_with_thread_keys(formatter: LambdaPowertoolsFormatter, record: Any) -> str:
    """powertools reads the added keys from its context variable while formatting: give it this logger's."""
    token = powertools_formatter.THREAD_LOCAL_KEYS.set(dict(_thread_keys(formatter)))
    try:
        return _format_record(formatter, record)
    finally:
        powertools_formatter.THREAD_LOCAL_KEYS.reset(token)


def _thread_correlation_id(logger: Logger) -> str | None:
    formatter: Any = logger.registered_formatter
    return _current_keys(formatter).get("correlation_id")


def isolate_request_threads() -> None:
    """Make powertools' request state and log keys per thread (idempotent)."""
    if type(BaseRouter) is _PerThreadRouterMeta:
        return
    ApiGatewayResolver.context = _PerThreadContext()  # type: ignore[assignment]
    formatter: Any = LambdaPowertoolsFormatter
    formatter.append_keys = formatter.thread_safe_append_keys = _append_keys
    formatter.remove_keys = formatter.thread_safe_remove_keys = _remove_keys
    formatter.thread_safe_clear_keys = _clear_keys
    formatter.get_current_keys = formatter.thread_safe_get_current_keys = _current_keys
    formatter.format = _format_with_thread_keys
    Logger.get_correlation_id = _thread_correlation_id  # type: ignore[method-assign,assignment]
    for name in _SHARED_ATTRIBUTES:  # first, while plain assignment still sets the class's own attribute
        setattr(BaseRouter, name, _PerThread(name))  # instance reads (``app.current_event``)
    # class-level reads and writes (``BaseRouter.current_event = e``): swap the metaclass of the existing class
    BaseRouter.__class__ = _PerThreadRouterMeta  # type: ignore[method-assign,assignment]
