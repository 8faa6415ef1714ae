"""The ministry stack's hourly run, EBPM Glue table and first operators (context ministry_operators)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.config import ConfigError, PlatformConfig, parse_ministry_operators
from infra.constructs.ministry_jobs import EBPM_COLUMNS


def test_given_the_meti_stack_then_an_hourly_rule_invokes_the_submit_function(meti: Template) -> None:
    meti.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 hour)",
            "State": "ENABLED",
            "Targets": Match.array_with([Match.object_like({"Arn": Match.any_value()})]),
        },
    )


def test_given_the_meti_stack_then_a_glue_table_reads_the_ebpm_export_with_the_exporters_columns(
    meti: Template,
) -> None:
    from functions.submit.ebpm import GLUE_COLUMNS

    assert EBPM_COLUMNS == GLUE_COLUMNS
    tables = meti.find_resources("AWS::Glue::Table")
    [table] = tables.values()
    described = table["Properties"]["TableInput"]
    assert described["Name"] == "applications"
    assert [(c["Name"], c["Type"]) for c in described["StorageDescriptor"]["Columns"]] == list(EBPM_COLUMNS)


def test_given_no_ministry_operators_then_no_bootstrap_resource(meti: Template) -> None:
    assert meti.find_resources("Custom::AWS") == {}


def test_given_ministry_operators_when_synthesizing_then_each_sub_gets_a_conditional_staff_put(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from infra.app import build_app, stack_name

    app = build_app(
        {"ministries": "meti,mhlw", "ministry_operators": "op-sub-1,mhlw:op-sub-2"},
        outdir=str(tmp_path_factory.mktemp("cdk.out")),
    )
    assembly = app.synth()
    meti: dict[str, Any] = assembly.get_stack_by_name(stack_name("Ministry", "meti")).template
    mhlw: dict[str, Any] = assembly.get_stack_by_name(stack_name("Ministry", "mhlw")).template

    def creates(template: dict[str, Any]) -> str:
        return " ".join(
            str(r["Properties"].get("Create")) for r in template["Resources"].values() if r["Type"] == "Custom::AWS"
        )

    assert "STAFF#op-sub-1" in creates(meti)
    assert "STAFF#op-sub-2" not in creates(meti)
    assert "STAFF#op-sub-1" in creates(mhlw)
    assert "STAFF#op-sub-2" in creates(mhlw)
    assert "attribute_not_exists(pk)" in creates(meti)


@pytest.mark.parametrize("value", ["op sub", "METI:sub", "meti:", "a,b;c"])
def test_given_a_malformed_ministry_operators_context_then_config_error_names_it(value: str) -> None:
    with pytest.raises(ConfigError, match="ministry_operators"):
        parse_ministry_operators(value)


def test_given_operators_for_all_and_one_ministry_then_each_ministry_gets_its_own() -> None:
    config = PlatformConfig.from_context({"ministries": "meti,mhlw", "ministry_operators": "a-1, meti:b-2"}, {})

    assert config.operators_of("meti") == ("a-1", "b-2")
    assert config.operators_of("mhlw") == ("a-1",)
