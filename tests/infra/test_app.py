"""The app: its stacks, its context, the cdk-nag gate and the feature flags of cdk.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.app import build_app, load_cdk_json_context, main, parse_context_args, stack_name
from infra.config import ConfigError, PlatformConfig, parse_ministries
from infra.feature_flags import recommended_flags
from infra.paths import CDK_JSON
from tests.infra.conftest import MINISTRIES, Synthesized


def test_app_synthesizes_three_central_stacks_and_one_per_ministry(synthesized: Synthesized) -> None:
    names = {stack.stack_name for stack in synthesized.assembly.stacks}

    assert names == {
        "CorpPlatform-Identity",
        "CorpPlatform-OpenData",
        "CorpPlatform-Exchange",
        "CorpPlatform-Ministry-meti",
        "CorpPlatform-Ministry-mhlw",
    }


def test_cdk_nag_leaves_no_finding(synthesized: Synthesized) -> None:
    # app.synth() in the fixture raises ValidationFailed on any unacknowledged finding; the report agrees.
    report = json.loads((Path(synthesized.assembly.directory) / "validation-report.json").read_text("utf-8"))
    assert report["pluginReports"] == []


def test_every_stack_depends_on_open_data_for_the_api_gateway_account(synthesized: Synthesized) -> None:
    for stack in synthesized.assembly.stacks:
        if stack.stack_name != stack_name("OpenData"):
            assert stack_name("OpenData") in [d.id for d in stack.dependencies]


def test_tags_name_project_stage_and_ministry(synthesized: Synthesized) -> None:
    assert synthesized.assembly.get_stack_by_name(stack_name("Ministry", "meti")).tags == {
        "Project": "CorpPlatform",
        "Stage": "dev",
        "Ministry": "meti",
    }
    assert synthesized.assembly.get_stack_by_name(stack_name("Identity")).tags["Ministry"] == "central"
    functions = synthesized.raw(stack_name("Ministry", "meti"))["Resources"].values()
    for function in (r for r in functions if r["Type"] == "AWS::Lambda::Function"):  # the API and the EBPM export
        assert {"Key": "Ministry", "Value": "meti"} in function["Properties"]["Tags"]


def test_cdk_json_holds_every_recommended_feature_flag() -> None:
    document = json.loads(CDK_JSON.read_text("utf-8"))

    assert document["app"] == "python -m infra.app"
    missing = {k: v for k, v in recommended_flags().items() if document["context"].get(k) != v}
    assert not missing, "refresh with: python -m infra.feature_flags --write"


def test_app_context_includes_the_feature_flags_of_cdk_json(synthesized: Synthesized) -> None:
    flag = "@aws-cdk/aws-apigateway:disableCloudWatchRole"
    assert load_cdk_json_context()[flag] is True
    assert synthesized.app.node.try_get_context(flag) is True


@pytest.mark.parametrize("bad", ["METI", "m", "meti-x", "abcdefghijklm", "meti,meti", "meti,,mhlw", "経産省"])
def test_bad_ministry_name_is_rejected_with_the_context_key(bad: str) -> None:
    with pytest.raises(ConfigError, match="context 'ministries'"):
        build_app({"ministries": bad})


def test_ministries_accept_a_list_or_a_comma_separated_string() -> None:
    assert parse_ministries("meti, mhlw") == MINISTRIES
    assert parse_ministries(["meti", "mhlw"]) == MINISTRIES
    assert parse_ministries(None) == ()


def test_config_takes_region_and_account_from_the_cdk_environment() -> None:
    config = PlatformConfig.from_context(
        {}, {"CDK_DEFAULT_ACCOUNT": "123456789012", "CDK_DEFAULT_REGION": "ap-northeast-3"}
    )
    assert (config.account, config.region, config.stage) == ("123456789012", "ap-northeast-3", "dev")
    assert PlatformConfig.from_context({}, {}).region == "ap-northeast-1"


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"stage": "Prod"}, "stage"),
        ({"account": "12345"}, "account"),
        ({"region": "tokyo"}, "region"),
        ({"issuer_url": "http://id.example.jp"}, "issuer_url"),
        ({"hojin_public_url": "http://info.example.jp"}, "hojin_public_url"),
        ({"hojin_public_url": "https://info.example.jp/dev"}, "hojin_public_url"),
        ({"jgrants_public_url": "http://{ministry}.example.jp"}, "jgrants_public_url"),
        ({"jgrants_public_url": "https://{ministry}.example.jp/apply"}, "jgrants_public_url"),
        ({"mail_from": "not an address"}, "mail_from"),
    ],
)
def test_malformed_context_names_its_key(context: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=f"context '{key}'"):
        PlatformConfig.from_context(context, {})


def test_the_token_pages_public_url_is_an_https_origin() -> None:
    config = PlatformConfig.from_context({"hojin_public_url": "https://info.gbiz.example.jp/"}, {})
    assert config.hojin_public_url == "https://info.gbiz.example.jp"
    assert PlatformConfig.from_context({}, {}).hojin_public_url is None


def test_each_ministry_gets_its_own_jgrants_origin() -> None:
    config = PlatformConfig.from_context({"jgrants_public_url": "https://{ministry}.jgrants.example.jp/"}, {})
    assert config.jgrants_origin("meti") == "https://meti.jgrants.example.jp"
    assert PlatformConfig.from_context({}, {}).jgrants_origin("meti") is None


def test_cli_context_pairs_parse_like_the_cdk_cli() -> None:
    assert parse_context_args(["ministries=meti,mhlw", "stage=prod"]) == {
        "ministries": "meti,mhlw",
        "stage": "prod",
    }
    with pytest.raises(ConfigError, match="key=value"):
        parse_context_args(["ministries"])


def test_cli_reports_a_bad_ministry_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-c", "ministries=Bad!"]) == 2
    assert "not a valid ministry name" in capsys.readouterr().err
