"""The devstack's gBizINFO API called over HTTP the way published gBizINFO clients call the real one:
base URL + ``/v2/hojin...``, the ``X-hojinInfo-api-token`` header, string query parameters, and the
``hojin-infos`` envelope parsed from the JSON answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.demo_corporations import DEMO_CORP_A


@pytest.fixture(scope="module")
def client(devstack: dict[str, Any]) -> httpx.Client:
    base = devstack["services"]["hojin"]  # https://api.info.gbiz.go.jp/hojin in the real service
    with httpx.Client(
        base_url=base,
        headers={"Accept": "application/json", "X-hojinInfo-api-token": devstack["api_token"]},
        timeout=30,
    ) as session:
        yield session


def _hojin_infos(response: httpx.Response) -> list[dict[str, Any]]:
    response.raise_for_status()
    body = response.json()
    assert body["errors"] == []
    infos: list[dict[str, Any]] = body["hojin-infos"]
    return infos


def test_search_by_name_as_a_client_does(client):
    infos = _hojin_infos(client.get("/v2/hojin", params={"name": "デモ工業", "page": "1", "limit": "10"}))

    assert [info["corporate_number"] for info in infos] == [DEMO_CORP_A]


def test_an_empty_search_is_200_with_an_empty_list(client):
    assert _hojin_infos(client.get("/v2/hojin", params={"name": "該当する法人はありません"})) == []


def test_a_record_and_a_part(client):
    [record] = _hojin_infos(client.get(f"/v2/hojin/{DEMO_CORP_A}"))
    [part] = _hojin_infos(client.get(f"/v2/hojin/{DEMO_CORP_A}/subsidy"))

    assert record["name"] == "デモ工業株式会社"
    assert part["subsidy"][0]["amount"] == 10_000_000


def test_update_info_answers_with_paging_fields(client):
    response = client.get("/v2/hojin/updateInfo", params={"from": "20261001", "to": "20261031", "page": "1"})

    body = response.json()
    assert response.status_code == 200
    assert {"totalCount", "totalPage", "pageNumber", "hojin-infos"} <= set(body)
    assert body["pageNumber"] == 1


def test_bad_parameters_name_the_field_and_a_trailing_slash_is_not_found(client):
    bad = client.get("/v2/hojin", params={"page": "11"})
    slash = client.get("/v2/hojin/")

    assert bad.status_code == 400
    assert bad.json()["errors"][0]["item"] == "page"
    assert slash.status_code == 404


def test_without_the_token_header_401(devstack):
    response = httpx.get(f"{devstack['services']['hojin']}/v2/hojin", params={"name": "デモ"}, timeout=30)

    assert response.status_code == 401
