"""Several Lambda functions in one process: give each request thread its own powertools "current event".

powertools' resolvers keep the event being handled in class attributes of ``BaseRouter``
(``BaseRouter.current_event = ...`` in ``resolve``), shared by every resolver of the process. In Lambda one
process serves one request at a time, so that is safe there. The devstack runs the four functions as threads
of one process: while a jGrants request is handled, its call to the OpenID Provider's ``userinfo`` (another
thread) replaced the jGrants handler's event with the provider's. This module moves those two attributes into
thread-local storage, for the devstack only, by giving ``BaseRouter`` a metaclass whose data descriptors
intercept the class-level reads and writes; instance reads (``app.current_event``) go through a descriptor in
the class itself. Each werkzeug request runs in its own thread, so each handler sees its own event.
"""

from __future__ import annotations

import abc
import threading
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

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


class _PerThreadRouterMeta(abc.ABCMeta):
    current_event = _PerThread("current_event")
    lambda_context = _PerThread("lambda_context")


def isolate_request_threads() -> None:
    """Make powertools' request state per thread (idempotent)."""
    if type(BaseRouter) is _PerThreadRouterMeta:
        return
    for name in _SHARED_ATTRIBUTES:  # first, while plain assignment still sets the class's own attribute
        setattr(BaseRouter, name, _PerThread(name))  # instance reads (``app.current_event``)
    # class-level reads and writes (``BaseRouter.current_event = e``): swap the metaclass of the existing class
    BaseRouter.__class__ = _PerThreadRouterMeta  # type: ignore[method-assign,assignment]
