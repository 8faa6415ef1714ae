"""Saved subsidy searches, and the matcher that mails each user the subsidies that newly match.

A signed-in user saves the public search's parameters (at most :data:`MAX_SEARCHES_PER_USER`); the address
to mail is the login's e-mail at the time of saving. Subsidies that already match when the search is saved
count as known: the user is told only of what is new from then on.

:func:`notify_new_matches` runs on the ministry's schedule and whenever an operator publishes a subsidy. For
each search it finds the published subsidies that match and were not notified yet, and in one transaction
adds them to the search's ``notified`` set (conditioned on the search's ``revision``, so two runs at once
cannot both mail) and puts the mail in the outbox; the mail is then sent and leaves the outbox. If SES
fails, the mail stays in the outbox and the next run sends it (:mod:`functions.submit.outbox`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.submit.dal import SubsidyCatalogue
from functions.submit.logic import keyword_terms, matches_search
from functions.submit.models import (
    KEYWORD_MAX_LENGTH,
    KEYWORD_MIN_LENGTH,
    FilterText,
    JGrantsDateTime,
    Subsidy,
    SubsidySearch,
)
from functions.submit.outbox import Mail, send_from_outbox
from platform_common import aws
from platform_common.errors import Conflict, FieldError, InvalidInput, NotFound
from platform_common.observability import observability_for

MAX_SEARCHES_PER_USER: Final = 20
SAVED_PREFIX: Final = "SAVED#"
SEARCH_PREFIX: Final = "SEARCH#"
COUNT_SK: Final = "COUNT"
SAVED_INDEX_PK: Final = "SAVEDSEARCH"
MAX_SUBSIDIES_PER_MAIL: Final = 20

_logger = observability_for("submit").logger


class SavedSearchRequest(BaseModel):
    """The public search's parameters (``GET /exp/v1/public/subsidies``) without sorting."""

    model_config = ConfigDict(extra="forbid")

    keyword: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=KEYWORD_MIN_LENGTH, max_length=KEYWORD_MAX_LENGTH),
    ] = Field(description="Words to find in the name, title, catch phrase or detail (2-255 characters)")
    acceptance: Literal["0", "1"] = Field(default="0", description="1: only subsidies accepting applications")
    use_purpose: FilterText | None = None
    industry: FilterText | None = None
    target_number_of_employees: FilterText | None = None
    target_area_search: FilterText | None = None

    def to_search(self) -> SubsidySearch:
        return SubsidySearch(
            keyword=self.keyword,
            accepting_only=self.acceptance == "1",
            use_purpose=self.use_purpose,
            industry=self.industry,
            target_number_of_employees=self.target_number_of_employees,
            target_area_search=self.target_area_search,
        )


class SavedSearch(SavedSearchRequest):
    id: str
    created: JGrantsDateTime
    notified_count: int = Field(description="How many subsidies this search has told the user of")


class SavedSearchList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    searches: list[SavedSearch]


_PARAMETERS: Final = tuple(SavedSearchRequest.model_fields)


@dataclass(frozen=True)
class StoredSearch:
    sub: str
    id: str
    request: SavedSearchRequest
    email: str
    created: datetime
    revision: int
    notified: frozenset[str]

    def key(self) -> dict[str, Any]:
        return {"pk": {"S": SAVED_PREFIX + self.sub}, "sk": {"S": SEARCH_PREFIX + self.id}}

    def to_item(self) -> dict[str, Any]:
        params = self.request.model_dump(exclude_none=True)
        item: dict[str, Any] = {
            **self.key(),
            "gsi1pk": {"S": SAVED_INDEX_PK},
            "gsi1sk": {"S": f"{self.sub}#{self.id}"},
            "params": {"M": {name: {"S": str(value)} for name, value in params.items()}},
            "email": {"S": self.email},
            "created": {"S": self.created.isoformat()},
            "revision": {"N": str(self.revision)},
        }
        if self.notified:
            item["notified"] = {"SS": sorted(self.notified)}
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredSearch:
        params = {name: value["S"] for name, value in item["params"]["M"].items() if name in _PARAMETERS}
        return cls(
            sub=item["pk"]["S"].removeprefix(SAVED_PREFIX),
            id=item["sk"]["S"].removeprefix(SEARCH_PREFIX),
            request=SavedSearchRequest.model_validate(params),
            email=item["email"]["S"],
            created=datetime.fromisoformat(item["created"]["S"]),
            revision=int(item["revision"]["N"]),
            notified=frozenset(item.get("notified", {}).get("SS", [])),
        )

    def to_response(self) -> SavedSearch:
        return SavedSearch.model_validate(
            {**self.request.model_dump(), "id": self.id, "created": self.created, "notified_count": len(self.notified)}
        )


def _count_key(sub: str) -> dict[str, Any]:
    return {"pk": {"S": SAVED_PREFIX + sub}, "sk": {"S": COUNT_SK}}


def matching_ids(subsidies: list[Subsidy], search: SubsidySearch, now: datetime) -> list[str]:
    terms = keyword_terms(search.keyword)
    return [s.id for s in subsidies if matches_search(s, search, terms, now)]


@dataclass(frozen=True)
class SavedSearchStore:
    table: str

    def list_for(self, sub: str) -> list[StoredSearch]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": SAVED_PREFIX + sub}, ":prefix": {"S": SEARCH_PREFIX}},
            "ConsistentRead": True,
        }
        page = aws.client("dynamodb").query(**request)  # at most 20 small items: one page
        return sorted((StoredSearch.from_item(i) for i in page.get("Items", [])), key=lambda s: s.created)

    def every_search(self) -> Iterator[StoredSearch]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": SAVED_INDEX_PK}},
        }
        dynamodb = aws.client("dynamodb")
        while True:
            page = dynamodb.query(**request)
            for item in page.get("Items", []):
                yield StoredSearch.from_item(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def add(self, search: StoredSearch) -> None:
        """Put the search and count it, in one transaction that refuses a 21st search."""
        try:
            aws.client("dynamodb").transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": _count_key(search.sub),
                            "UpdateExpression": "ADD saved :one",
                            "ConditionExpression": "attribute_not_exists(saved) OR saved < :max",
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"},
                                ":max": {"N": str(MAX_SEARCHES_PER_USER)},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": search.to_item(),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            message = f"at most {MAX_SEARCHES_PER_USER} searches can be saved: delete one first"
            raise Conflict(detail=message, errors=[FieldError("saved_searches", message)]) from exc

    def remove(self, sub: str, search_id: str) -> None:
        key = {"pk": {"S": SAVED_PREFIX + sub}, "sk": {"S": SEARCH_PREFIX + search_id}}
        try:
            aws.client("dynamodb").transact_write_items(
                TransactItems=[
                    {"Delete": {"TableName": self.table, "Key": key, "ConditionExpression": "attribute_exists(pk)"}},
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": _count_key(sub),
                            "UpdateExpression": "ADD saved :minus",
                            "ExpressionAttributeValues": {":minus": {"N": "-1"}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise NotFound(detail="no such saved search") from exc

    def record_notified(self, search: StoredSearch, subsidy_ids: list[str], mail: Mail) -> bool:
        """Mark ``subsidy_ids`` notified and queue the mail, unless another run got there first."""
        try:
            aws.client("dynamodb").transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": search.key(),
                            "UpdateExpression": "SET revision = :next ADD notified :ids",
                            "ConditionExpression": "revision = :seen",
                            "ExpressionAttributeValues": {
                                ":seen": {"N": str(search.revision)},
                                ":next": {"N": str(search.revision + 1)},
                                ":ids": {"SS": subsidy_ids},
                            },
                        }
                    },
                    mail.transact_put(self.table),
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            return False  # changed or deleted meanwhile: the next run sees its new state
        return True


# -- what the API does --------------------------------------------------------------------------------------


def save_search(
    store: SavedSearchStore,
    catalogue: SubsidyCatalogue,
    sub: str,
    email: str | None,
    request: SavedSearchRequest,
    now: datetime,
) -> StoredSearch:
    if not email:
        raise InvalidInput.for_field("email", "the account has no e-mail address to send alerts to")
    published = [s for s in catalogue.list_subsidies() if s.published]
    search = StoredSearch(
        sub=sub,
        id=secrets.token_hex(8),
        request=request,
        email=email,
        created=now,
        revision=1,
        notified=frozenset(matching_ids(published, request.to_search(), now)),  # known already: not news
    )
    store.add(search)
    return search


# -- the matcher --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchReport:
    searches: int
    mails_sent: int
    mails_queued: int  # SES failed: in the outbox for the next run

    def to_json(self) -> dict[str, int]:
        return {"searches": self.searches, "mails_sent": self.mails_sent, "mails_queued": self.mails_queued}


def alert_mail(email: str, subsidies: list[Subsidy], search: SavedSearchRequest, detail_url: str) -> Mail:
    """Japanese first, then English; titles and links only (no personal data beyond the recipient)."""
    shown = subsidies[:MAX_SUBSIDIES_PER_MAIL]
    lines_ja = [f"・{s.title}（{s.name}）\n  {detail_url}{s.id}" for s in shown]
    more = len(subsidies) - len(shown)
    body = "\n".join(
        [
            f"保存した検索「{search.keyword}」に合う補助金が新しく公開されました（{len(subsidies)}件）。",
            "",
            *lines_ja,
            *([f"ほか{more}件"] if more else []),
            "",
            "この通知は保存した検索を削除すると止まります。",
            "",
            f'New subsidies match your saved search "{search.keyword}" ({len(subsidies)}). '
            "Delete the saved search to stop these alerts.",
        ]
    )
    subject = f"【jGrants】新着補助金のお知らせ {len(subsidies)}件 / New subsidies for your saved search"
    return Mail(to=email, subject=subject, body=body, purpose="saved_search")


def notify_new_matches(
    now: datetime,
    *,
    store: SavedSearchStore,
    catalogue: SubsidyCatalogue,
    sender: str,
    detail_url: str,
) -> MatchReport:
    """Mail every saved search's owner the published subsidies that match and were not notified yet."""
    published = [s for s in catalogue.list_subsidies() if s.published]
    by_id = {s.id: s for s in published}
    searches = sent = queued = 0
    for search in store.every_search():
        searches += 1
        new_ids = [i for i in matching_ids(published, search.request.to_search(), now) if i not in search.notified]
        if not new_ids:
            continue
        mail = alert_mail(search.email, [by_id[i] for i in new_ids], search.request, detail_url)
        if not store.record_notified(search, new_ids, mail):
            continue
        if send_from_outbox(store.table, sender, mail):
            sent += 1
        else:
            queued += 1
    report = MatchReport(searches, sent, queued)
    _logger.info("saved searches matched", extra=report.to_json())
    return report
