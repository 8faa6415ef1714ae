"""Stacks compose constructs: one central stack per shared capability and one stack per ministry."""

from infra.stacks.platform_stack import PlatformStack
from infra.stacks.stacks import ExchangeStack, IdentityStack, MinistryStack, OpenDataStack

__all__ = ["ExchangeStack", "IdentityStack", "MinistryStack", "OpenDataStack", "PlatformStack"]
