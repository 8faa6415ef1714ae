"""X-Road identifiers, message ids and listMethods, free of HTTP and storage."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.exchange.dal import ServiceItem, SubsystemItem, SubsystemListing
from functions.exchange.logic import (
    CLIENT_HEADER,
    MESSAGE_ID_HEADER,
    list_methods,
    message_id_for,
    parse_client_id,
    subsystem_id_from_parts,
)
from functions.exchange.models import SubsystemId
from platform_common.errors import InvalidInput, NotFound

MEMBER_CLASSES = frozenset({"GOV", "COM", "NGO", "NEE"})
IDENTIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

identifiers = st.text(alphabet=IDENTIFIER_ALPHABET, min_size=1, max_size=64)
subsystem_ids = st.builds(SubsystemId, identifiers, st.sampled_from(sorted(MEMBER_CLASSES)), identifiers, identifiers)


def _field_of(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.item for e in error.value.errors]


class TestClientHeader:
    @given(subsystem_ids)
    def test_given_valid_identifier_when_written_and_parsed_then_it_round_trips(self, subsystem: SubsystemId) -> None:
        text = str(subsystem)

        parsed = parse_client_id(text, MEMBER_CLASSES)

        assert parsed == subsystem
        assert str(parsed) == text

    @given(st.lists(identifiers, min_size=0, max_size=8).filter(lambda parts: len(parts) != 4))
    def test_given_wrong_number_of_parts_when_parsed_then_rejected_naming_the_header(self, parts: list[str]) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_client_id("/".join(parts), MEMBER_CLASSES)

        assert _field_of(error) == [CLIENT_HEADER]

    @given(
        subsystem_ids,
        st.integers(min_value=0, max_value=3),
        st.text(min_size=1, max_size=3).filter(lambda t: any(c not in IDENTIFIER_ALPHABET + "/" for c in t)),
    )
    def test_given_a_part_with_a_foreign_character_when_parsed_then_rejected_naming_the_header(
        self, subsystem: SubsystemId, index: int, junk: str
    ) -> None:
        parts = str(subsystem).split("/")
        parts[index] += junk

        with pytest.raises(InvalidInput) as error:
            parse_client_id("/".join(parts), MEMBER_CLASSES)

        assert _field_of(error) == [CLIENT_HEADER]

    @given(st.text(min_size=1, max_size=8).filter(lambda c: c not in MEMBER_CLASSES and "/" not in c))
    def test_given_unknown_member_class_when_parsed_then_rejected(self, member_class: str) -> None:
        with pytest.raises(InvalidInput):
            parse_client_id(f"JP-DEV/{member_class}/1234/sub", MEMBER_CLASSES)

    @pytest.mark.parametrize("header", [None, ""])
    def test_given_no_header_when_parsed_then_rejected_naming_the_header(self, header: str | None) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_client_id(header, MEMBER_CLASSES)

        assert _field_of(error) == [CLIENT_HEADER]

    def test_given_configured_member_classes_when_parsed_then_only_those_are_accepted(self) -> None:
        assert parse_client_id("JP/LGOV/1/a", {"LGOV"}).member_class == "LGOV"
        with pytest.raises(InvalidInput):
            parse_client_id("JP/GOV/1/a", {"LGOV"})

    def test_given_code_of_65_characters_when_parsed_then_rejected(self) -> None:
        with pytest.raises(InvalidInput):
            parse_client_id(f"JP/GOV/{'1' * 65}/a", MEMBER_CLASSES)


class TestPathIdentifier:
    @pytest.mark.parametrize(
        ("parts", "field"),
        [
            (("JP DEV", "GOV", "1", "a"), "instance"),
            (("JP", "gov", "1", "a"), "member_class"),
            (("JP", "GOV", "", "a"), "member_code"),
            (("JP", "GOV", "1", "a/b"), "subsystem"),
        ],
    )
    def test_given_a_bad_part_when_checked_then_the_error_names_that_part(
        self, parts: tuple[str, str, str, str], field: str
    ) -> None:
        with pytest.raises(InvalidInput) as error:
            subsystem_id_from_parts(*parts, member_classes=MEMBER_CLASSES)

        assert _field_of(error) == [field]


class TestMessageId:
    @pytest.mark.parametrize("header", [None, ""])
    def test_given_no_message_id_when_resolved_then_a_new_uuid4(self, header: str | None) -> None:
        assert uuid.UUID(message_id_for(header)).version == 4

    def test_given_two_requests_without_id_when_resolved_then_ids_differ(self) -> None:
        assert message_id_for(None) != message_id_for(None)

    @given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=255))
    def test_given_printable_ascii_id_when_resolved_then_it_is_kept(self, header: str) -> None:
        assert message_id_for(header) == header

    @pytest.mark.parametrize("header", ["with space", "line\r\nX-Injected: 1", "日本語", "x" * 256])
    def test_given_unsafe_id_when_resolved_then_rejected_naming_it(self, header: str) -> None:
        with pytest.raises(InvalidInput) as error:
            message_id_for(header)

        assert _field_of(error) == [MESSAGE_ID_HEADER]


class FakeRegistry:
    def __init__(self, *listings: SubsystemListing) -> None:
        self.listings = {listing.subsystem.subsystem: listing for listing in listings}

    def get_subsystem(self, subsystem: SubsystemId) -> SubsystemListing | None:
        return self.listings.get(subsystem)


PROVIDER = SubsystemId("JP-DEV", "GOV", "9999200000010", "commercial-registry")


class TestListMethods:
    def test_given_registered_services_when_listed_then_x_road_identifiers_ordered_by_code(self) -> None:
        services = tuple(ServiceItem(PROVIDER, code, "OPENAPI", code) for code in ("b-service", "a-service"))
        registry = FakeRegistry(SubsystemListing(SubsystemItem(PROVIDER, "登記"), services))

        found = list_methods(registry, PROVIDER)

        assert found.model_dump() == {
            "service": [
                {
                    "xroad_instance": "JP-DEV",
                    "member_class": "GOV",
                    "member_code": "9999200000010",
                    "subsystem_code": "commercial-registry",
                    "service_code": code,
                    "service_type": "OPENAPI",
                    "object_type": "SERVICE",
                }
                for code in ("a-service", "b-service")
            ]
        }

    def test_given_unknown_subsystem_when_listed_then_not_found(self) -> None:
        with pytest.raises(NotFound):
            list_methods(FakeRegistry(), PROVIDER)
