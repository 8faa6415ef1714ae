"""The exchange stack: KMS grants for the member keys created at run time, and its settings from the context."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from functions.exchange.registry import MEMBER_KEY_TAG as FUNCTION_TAG
from infra.app import build_app, stack_name
from infra.config import ConfigError, PlatformConfig
from infra.resource_specs import EXCHANGE, MEMBER_KEY_TAG
from tests.infra.conftest import handler_of

_KEYS = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":kms:", {"Ref": "AWS::Region"}, ":",
                          {"Ref": "AWS::AccountId"}, ":key/*"]]}  # fmt: skip


def _function(template: Template) -> dict[str, Any]:
    (function,) = (
        f
        for f in template.find_resources("AWS::Lambda::Function").values()
        if handler_of(f["Properties"]) == EXCHANGE.functions[0].handler
    )
    return function


def _statements(template: Template) -> list[dict[str, Any]]:
    role = {"Ref": _function(template)["Properties"]["Role"]["Fn::GetAtt"][0]}
    return [
        s
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if role in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_the_tag_is_the_one_the_function_puts_on_member_keys() -> None:
    assert MEMBER_KEY_TAG == FUNCTION_TAG


def test_member_keys_are_created_only_with_the_member_tag(exchange: Template) -> None:
    (create,) = [s for s in _statements(exchange) if "kms:CreateKey" in _actions(s)]
    assert _actions(create) == {"kms:CreateKey"}
    assert create["Resource"] == "*"
    assert create["Condition"]["Null"] == {f"aws:RequestTag/{MEMBER_KEY_TAG}": "false"}
    assert create["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": [MEMBER_KEY_TAG]}
    assert create["Condition"]["StringEquals"] == {"kms:KeySpec": "ECC_NIST_P256", "kms:KeyUsage": "SIGN_VERIFY"}
    tagging = [s for s in _statements(exchange) if "kms:TagResource" in _actions(s)]
    (allow,) = [s for s in tagging if s["Effect"] == "Allow"]
    assert allow["Resource"] == _KEYS
    assert allow["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": [MEMBER_KEY_TAG]}
    # the platform's own keys (stack-tagged) cannot be made member keys by tagging them
    (deny,) = [s for s in tagging if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Null": {"aws:ResourceTag/Project": "false"}}
    assert not any("kms:UntagResource" in _actions(s) or "kms:*" in _actions(s) for s in _statements(exchange))


def test_member_keys_sign_only_when_they_carry_the_tag(exchange: Template) -> None:
    (use,) = [s for s in _statements(exchange) if s["Resource"] == _KEYS and "kms:Sign" in _actions(s)]
    assert _actions(use) == {"kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"}
    assert use["Condition"] == {"Null": {f"aws:ResourceTag/{MEMBER_KEY_TAG}": "false"}}
    # key/* appears only in these tag-conditioned statements
    for statement in _statements(exchange):
        if statement["Resource"] == _KEYS:
            assert "Condition" in statement, statement


def test_the_default_synth_sets_neither_issuer_nor_public_url(exchange: Template) -> None:
    variables = _function(exchange)["Properties"]["Environment"]["Variables"]
    assert "OIDC_ISSUER" not in variables
    assert "EXCHANGE_PUBLIC_URL" not in variables


@pytest.mark.parametrize("value", ["http://exchange.example.jp", "https://exchange.example.jp/portal", "exchange"])
def test_the_portal_url_must_be_an_https_origin(value: str) -> None:
    with pytest.raises(ConfigError, match="context 'exchange_public_url'"):
        PlatformConfig.from_context({"exchange_public_url": value}, {})


def test_given_the_context_the_function_gets_the_issuer_and_its_public_origin(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    context = {
        "ministries": "meti",
        "issuer_url": "https://id.gbiz.example.jp",
        "exchange_public_url": "https://exchange.gbiz.example.jp/",
    }
    app = build_app(context, outdir=str(tmp_path_factory.mktemp("cdk.out.exchange")))
    template = Template.from_json(app.synth().get_stack_by_name(stack_name("Exchange")).template)
    variables = _function(template)["Properties"]["Environment"]["Variables"]
    assert variables["OIDC_ISSUER"] == "https://id.gbiz.example.jp"
    assert variables["EXCHANGE_PUBLIC_URL"] == "https://exchange.gbiz.example.jp"
