"""The jGrants deadline drill: many corporations submit at once, with attachments and retries, against the
devstack on loopback; then every submission is checked to exist exactly once with intact attachments.

    .venv/bin/python bench/bench_jgrants_deadline.py                                   # 200 submissions, 20 clients
    .venv/bin/python bench/bench_jgrants_deadline.py --submissions 1000 --clients 100  # the full drill (issue 5)

Setup (not timed): one Prime account per client, each of another synthetic corporation of the devstack's open
data (corporate numbers from the gBizINFO API), written as an operator's bulk import would write it (the OP's
accounts table, through ``functions.auth.dal``), so that the OP's ``/oauth/userinfo`` answers for it; and for
each an access token signed with the OP's own KMS key (``functions.auth.keys``). The drill skips the
interactive login (``bench_login_flow.py`` measures that). Subsidies: the demo subsidies open now, and, when
more are needed for ``submissions / clients`` per corporation, copies of the other demo subsidies opened now.

The drill (timed; it stops after the work or after ``--time-limit`` seconds): each client, for each of its
corporation's subsidies, starts the draft, saves the form (every required field the prefill left empty is
typed from the subsidy's schema), declares each required attachment (50-500 KB beginning with ``%PDF-``, its
SHA-256), PUTs it to the presigned URL, completes it, and submits with an ``Idempotency-Key``. A share of
the uploads, completions and submissions (``--duplicates``, 10 %) is sent twice (the same URL, the same key;
a duplicated submission is sent by a second connection at the same moment, a double click); any transport
error, 5xx or 429 is retried with backoff and the same key.

Then the figures: submissions/s, p50/p95/p99 per step, answers other than success by step and status; and
the verification, through the API (each corporation's list and each application) and through the store (the
applications table and the attachments bucket): one application per corporation and subsidy, SUBMITTED or
beyond with one receipt number, receipt numbers unique, every attachment VERIFIED with the S3 object's
SHA-256 equal to the one declared. Baseline in the same run: as many GETs of the public catalogue from the
same number of concurrent clients (the gateway's floor under the same concurrency).

With ``--login`` the drill is the deadline hour of the platform as a whole: each account is created with a
password and a TOTP factor, and each client signs in as a person does before its work (authorize, password,
TOTP, consent, code for tokens with PKCE at the demo relying party) and again halfway through through single
sign-on (the OP's session answers: a reopened portal tab); the access tokens it gets are the ones it uses.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

from bench.bench_login_flow import authorize_url, redeem  # noqa: E402
from bench.devstack_process import resident_mb, start_devstack, stop_devstack  # noqa: E402
from tests.e2e.test_auth_oidc_flow import sign_in_through_forms  # noqa: E402  (the form-filling browser)

APPS: Final = "/submit/v1/applications"
STEPS: Final = ("login", "sso", "draft", "save", "presign", "upload", "complete", "submit")
DONE: Final = frozenset({"SUBMITTED", "UNDER_REVIEW", "APPROVED", "REJECTED", "RETURNED"})
LABELS: Final = {
    "login": " (password, TOTP, consent, tokens)",
    "sso": " (single sign-on, tokens)",
    "upload": " (PUT to S3 presigned URL)",
}
TRANSIENT: Final = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS: Final = 8
SCOPE: Final = "openid profile user email"
REQUEST_TIMEOUT: Final = 300.0  # the queue before the devstack's one-at-a-time submit function grows with the clients


# ---------------------------------------------------------------------------------------------- figures


@dataclass
class Recorder:
    """Latencies per step and every answer that was not a success, from all client threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latencies[step].append(seconds * 1000)

    def answer(self, step: str, status: str) -> None:
        with self.lock:
            self.answers[(step, status)] += 1

    def count(self, counter: Counter[str], step: str) -> None:
        with self.lock:
            counter[step] += 1

    def request(self) -> None:
        with self.lock:
            self.requests += 1


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        only = samples[0] if samples else float("nan")
        return only, only, only
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], cuts[98]


def send(
    recorder: Recorder,
    step: str,
    call: Callable[[], httpx.Response],
    ok: frozenset[int],
    *,
    measure: bool = True,
) -> httpx.Response:
    """One step: the same request again (same body, same key) after a transport error, a 5xx or a 429."""
    started = time.perf_counter()
    for attempt in range(MAX_ATTEMPTS):
        recorder.request()
        try:
            response = call()
        except httpx.TransportError as error:
            recorder.answer(step, type(error).__name__)
            response = None
        if response is not None:
            if response.status_code in ok:
                if measure:
                    recorder.sample(step, time.perf_counter() - started)
                return response
            recorder.answer(step, str(response.status_code))
            if response.status_code not in TRANSIENT:
                return response
        if attempt + 1 < MAX_ATTEMPTS:
            recorder.count(recorder.retries, step)
            wait = min(8.0, 0.25 * 2**attempt) * random.uniform(0.5, 1.0)
            if response is not None and response.headers.get("Retry-After", "").isdigit():
                wait = max(wait, float(response.headers["Retry-After"]))
            time.sleep(wait)
    if response is None:
        raise RuntimeError(f"{step}: no answer after {MAX_ATTEMPTS} attempts")
    return response


# ---------------------------------------------------------------------------------------------- setup


def use_devstack_aws(demo: Mapping[str, Any]) -> None:
    """Point this process's AWS clients and settings at the devstack's moto server (what demo.json says)."""
    aws = demo["aws"]
    os.environ.update(aws["environment"])
    os.environ.update(
        AWS_ENDPOINT_URL=aws["endpoint_url"],
        AWS_DEFAULT_REGION=aws["region"],
        AWS_REGION=aws["region"],
        AWS_ACCESS_KEY_ID="devstack",
        AWS_SECRET_ACCESS_KEY="devstack",  # noqa: S106  (moto accepts any credentials)
        OIDC_ISSUER=demo["services"]["issuer"],
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_TRACE_DISABLED="true",
    )


def corporations_from_gbizinfo(demo: Mapping[str, Any], count: int) -> list[str]:
    """``count`` open corporations of the devstack's open data, through the gBizINFO API."""
    found: list[str] = []
    headers = {"Accept": "application/json", "X-hojinInfo-api-token": demo["api_token"]}
    with httpx.Client(base_url=demo["base_url"], headers=headers, timeout=60) as client:
        for page in range(1, 11):
            answer = client.get("/hojin/v2/hojin", params={"name": "株式会社", "limit": 100, "page": page})
            answer.raise_for_status()
            rows = answer.json().get("hojin-infos") or []
            found += [r["corporate_number"] for r in rows if r.get("status") == "現存" and r["corporate_number"]]
            if len(found) >= count or not rows:
                break
            time.sleep(0.2)  # the API token's rate limit
    unique = list(dict.fromkeys(found))
    if len(unique) < count:
        raise RuntimeError(f"the open data has {len(unique)} open corporations, {count} are needed")
    return unique[:count]


@dataclass
class Applicant:
    sub: str
    corporate_number: str
    email: str
    authorization: str  # the access token the client uses now (``--login`` replaces it by its own)
    credentials: dict[str, Any] | None = None  # password and TOTP secret, with ``--login``


def provision_applicants(demo: Mapping[str, Any], corporate_numbers: list[str], login: bool) -> list[Applicant]:
    """Prime accounts, one per corporation, as a bulk import writes them (with ``login``, as an account that
    signs in: a password and a TOTP factor); an access token for each."""
    from devstack.seed_identity import DemoAccount, create_account
    from functions.auth import keys
    from functions.auth.dal import AccountsStore, ProfileItem
    from functions.auth.models import AccountTier

    env = demo["aws"]["environment"]
    store = AccountsStore(env["ACCOUNTS_TABLE_NAME"])
    issuer = demo["services"]["issuer"]
    client_id = f"jgrants-{demo['ministry']}"  # the ministry's portal client (devstack.seed_jgrants)
    applicants = []
    for n, number in enumerate(corporate_numbers):
        sub, email, credentials = str(uuid.uuid4()), f"drill{n:04d}@drill.example.jp", None
        if login:
            account = DemoAccount(email, tier=AccountTier.PRIME, corporate_number=number)
            credentials = create_account(store, env["USER_POOL_ID"], env["SECRETS_KEY_ID"], account)
            sub = credentials["sub"]
        else:
            store.put_profile(ProfileItem(sub=sub, email=email, tier=AccountTier.PRIME, corporate_number=number))
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": sub,
            "aud": f"{issuer}/userinfo",
            "client_id": client_id,
            "scope": SCOPE,
            "iat": now,
            "exp": now + 3600,
            "auth_time": now,
            "jti": uuid.uuid4().hex,
        }
        token = keys.sign_jwt(claims, "at+jwt")
        applicants.append(Applicant(sub, number, email, f"Bearer {token}", credentials))
    return applicants


def open_subsidies(demo: Mapping[str, Any], count: int) -> list[dict[str, Any]]:
    """``count`` subsidies accepting applications now: the open demo ones, then copies of the others opened
    now (written as the catalogue writes them). Every one is Prime-compatible: the applicants are Prime."""
    from devstack.seed_jgrants import demo_subsidies
    from functions.submit.dal import SubsidyStore

    now = datetime.now(UTC)
    catalogue = demo_subsidies(now)
    chosen = [
        s
        for s in catalogue
        if s.acceptance_start_datetime
        and s.acceptance_end_datetime
        and s.acceptance_start_datetime <= now < s.acceptance_end_datetime
    ]
    store = SubsidyStore(demo["aws"]["environment"]["SUBSIDIES_TABLE_NAME"])
    others = [s for s in catalogue if s not in chosen]
    copies = 0
    while len(chosen) < count:
        source = others[copies % len(others)]
        copies += 1
        reopened = source.model_copy(
            update={
                "id": f"{source.id}drill{copies:03d}",
                "name": f"{source.name}-D{copies:03d}",
                "acceptance_start_datetime": now - timedelta(days=1),
                "acceptance_end_datetime": now + timedelta(days=30),
            }
        )
        store.put_subsidy(reopened)
        chosen.append(reopened)
    return [json.loads(s.model_dump_json()) for s in chosen[:count]]


# ---------------------------------------------------------------------------------------------- the form


def fill(schema: Mapping[str, Any], value: Any, rng: random.Random, applicant: Applicant) -> Any:
    """``value`` with every required field the schema asks for and the prefill left empty typed in."""
    kind = schema.get("type")
    if kind == "object":
        form = dict(value) if isinstance(value, Mapping) else {}
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name in properties:
                form[name] = fill(properties[name], form.get(name), rng, applicant)
        return form
    if value is not None:
        return value
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        high = int(schema.get("maximum", low + 10_000_000))
        return rng.randint(low, min(high, low + 5_000_000))
    if schema.get("format") == "date":
        return (datetime.now(UTC).date() + timedelta(days=rng.randint(30, 300))).isoformat()
    if schema.get("format") == "email":
        return applicant.email
    if schema.get("pattern") == "^[0-9]{13}$":
        return applicant.corporate_number
    text = f"締切前ドリル {schema.get('title', 'text')} {rng.randint(1, 999_999)}"
    return text[: int(schema.get("maxLength", len(text)))]


def pdf_like(rng: random.Random) -> bytes:
    size = rng.randint(50 * 1024, 500 * 1024)
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + rng.randbytes(size - len(head))


# ---------------------------------------------------------------------------------------------- the drill


@dataclass
class Outcome:
    corporate_number: str
    subsidy_id: str
    application_id: str | None = None
    receipt_number: str | None = None
    declared: dict[str, str] = field(default_factory=dict)  # attachment id -> SHA-256 (base64) sent
    failure: str | None = None
    abandoned: bool = False  # the time limit came while it was under way


class TimeUp(Exception):
    """The drill's time limit: the application under way is left as it is."""


class Drill:
    def __init__(self, demo: Mapping[str, Any], duplicates: float, seed: int, deadline: float):
        self.base_url = demo["base_url"]
        self.issuer = demo["services"]["issuer"]
        self.relying_party = demo["relying_parties"]["demo-rp"]
        self.deadline = deadline
        self.duplicates = duplicates
        self.seed = seed
        self.recorder = Recorder()
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()

    def _twice(self, rng: random.Random) -> bool:
        return rng.random() < self.duplicates

    def _on_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TimeUp

    def sign_in(self, browser: httpx.Client, applicant: Applicant, step: str) -> None:
        """The OpenID Connect code flow as a person's browser runs it; the client then uses its access token.
        A failed attempt (a 5xx on the way, a refused code) starts again from the authorization request."""
        assert applicant.credentials is not None
        rp = self.relying_party
        started = time.perf_counter()
        for attempt in range(MAX_ATTEMPTS):
            self.recorder.request()
            try:
                url, verifier = authorize_url(self.issuer, rp)
                redirect = sign_in_through_forms(browser, url, applicant.credentials, stop_at=rp["redirect_uri"])
                if redirect.status_code not in (301, 302, 303, 307):
                    raise RuntimeError(f"the sign-in stopped at a {redirect.status_code} page")
                token = redeem(self.issuer, rp, redirect.headers["location"], verifier)
            except (httpx.HTTPError, RuntimeError, AssertionError, KeyError) as error:
                self.recorder.answer(step, type(error).__name__)
                self.recorder.count(self.recorder.retries, step)
                time.sleep(min(8.0, 0.25 * 2**attempt))
                continue
            applicant.authorization = f"Bearer {token['access_token']}"
            self.recorder.sample(step, time.perf_counter() - started)
            return
        raise RuntimeError(f"{step}: no sign-in after {MAX_ATTEMPTS} attempts")

    def run_client(self, applicant: Applicant, subsidies: list[dict[str, Any]]) -> None:
        rng = random.Random(f"{self.seed}-{applicant.corporate_number}")
        with (
            httpx.Client(base_url=self.base_url, follow_redirects=False, timeout=REQUEST_TIMEOUT) as browser,
            httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT) as api,
            httpx.Client(timeout=REQUEST_TIMEOUT) as s3,
        ):
            if applicant.credentials:
                self.sign_in(browser, applicant, "login")
            api.headers["Authorization"] = applicant.authorization
            for n, subsidy in enumerate(subsidies):
                if time.monotonic() > self.deadline:
                    return
                if applicant.credentials and n == len(subsidies) // 2 and n > 0:
                    self.sign_in(browser, applicant, "sso")  # a reopened tab: the OP's session answers
                    api.headers["Authorization"] = applicant.authorization
                outcome = Outcome(applicant.corporate_number, subsidy["id"])
                with self._lock:
                    self.outcomes.append(outcome)
                try:
                    self.apply(api, s3, applicant, subsidy, outcome, rng)
                except TimeUp:
                    outcome.abandoned = True
                except Exception as error:  # reported per application: the drill goes on
                    outcome.failure = f"{type(error).__name__}: {str(error)[:200]}"

    def apply(
        self,
        api: httpx.Client,
        s3: httpx.Client,
        applicant: Applicant,
        subsidy: Mapping[str, Any],
        outcome: Outcome,
        rng: random.Random,
    ) -> None:
        rec = self.recorder
        started = send(rec, "draft", lambda: api.post(APPS, json={"subsidy_id": subsidy["id"]}), frozenset({200, 201}))
        _expect(started, "draft")
        app = started.json()
        outcome.application_id = app_id = app["id"]

        self._on_time()
        form = fill(subsidy["form_schema"], app["form"], rng, applicant)
        version = app["version"]
        for _ in range(3):
            saved = send(
                rec,
                "save",
                functools.partial(
                    api.patch, f"{APPS}/{app_id}", json={"form": form}, headers={"If-Match": f'"{version}"'}
                ),
                frozenset({200}),
            )
            if saved.status_code == 412:  # a retried save that had landed, or another change: merge and save
                current = saved.json()
                if current["current"]["form"] == form:
                    break
                version = current["current_version"]
                continue
            _expect(saved, "save")
            break

        for need in subsidy["attachments"]:
            if need.get("exchange_service"):
                continue  # the data exchange supplies it
            self.attach(api, s3, app_id, need["code"], outcome, rng)

        self._on_time()
        key = f"drill-{app_id}-{uuid.uuid4().hex[:12]}"

        def submit() -> httpx.Response:
            return send(
                rec,
                "submit",
                lambda: api.post(f"{APPS}/{app_id}/submit", headers={"Idempotency-Key": key}),
                frozenset({200}),
            )

        if self._twice(rng):
            rec.count(rec.duplicates, "submit")
            with httpx.Client(base_url=self.base_url, headers=dict(api.headers), timeout=REQUEST_TIMEOUT) as second:
                twin: list[httpx.Response] = []
                other = threading.Thread(
                    target=lambda: twin.append(
                        send(
                            rec,
                            "submit",
                            lambda: second.post(f"{APPS}/{app_id}/submit", headers={"Idempotency-Key": key}),
                            frozenset({200}),
                            measure=False,
                        )
                    )
                )
                other.start()
                done = submit()
                other.join()
            _expect(twin[0], "submit (the double click)")
            if twin[0].json()["receipt_number"] != done.json().get("receipt_number"):
                raise RuntimeError("a duplicated submission answered another receipt number")
        else:
            done = submit()
        _expect(done, "submit")
        outcome.receipt_number = done.json()["receipt_number"]

    def attach(
        self, api: httpx.Client, s3: httpx.Client, app_id: str, kind: str, outcome: Outcome, rng: random.Random
    ) -> None:
        rec = self.recorder
        self._on_time()
        body = pdf_like(rng)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        declaration = {
            "kind": kind,
            "file_name": f"{kind}.pdf",
            "content_type": "application/pdf",
            "size": len(body),
            "sha256": digest,
        }
        declared = send(
            rec, "presign", lambda: api.post(f"{APPS}/{app_id}/attachments", json=declaration), frozenset({201})
        )
        _expect(declared, "presign")
        attachment_id = declared.json()["attachment"]["id"]
        upload = declared.json()["upload"]
        outcome.declared[attachment_id] = digest
        for n in range(2 if self._twice(rng) else 1):
            if n:
                rec.count(rec.duplicates, "upload")
            put = send(
                rec,
                "upload",
                lambda: s3.put(upload["url"], content=body, headers=upload["headers"]),
                frozenset({200}),
                measure=n == 0,
            )
            _expect(put, "upload")
        for n in range(2 if self._twice(rng) else 1):
            if n:
                rec.count(rec.duplicates, "complete")
            path = f"{APPS}/{app_id}/attachments/{attachment_id}/complete"
            completed = send(rec, "complete", functools.partial(api.post, path), frozenset({200}), measure=n == 0)
            _expect(completed, "complete")
            if completed.json()["state"] != "VERIFIED":
                raise RuntimeError(f"attachment {attachment_id} is {completed.json()['state']}")


def _expect(response: httpx.Response, step: str) -> None:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{step}: {response.status_code} {response.text[:300]}")


def run_parallel(clients: int, work: list[Any], task: Callable[[Any], None]) -> float:
    """Run ``task`` over ``work`` on ``clients`` threads; the wall time in seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for result in pool.map(task, work):
            del result
    return time.perf_counter() - started


def catalogue_baseline(base_url: str, clients: int, requests: int) -> tuple[float, list[float], Counter[str]]:
    """``requests`` GETs of the public catalogue from ``clients`` concurrent clients: (wall s, ms, statuses)."""
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    share = [requests // clients + (1 if n < requests % clients else 0) for n in range(clients)]
    keywords = ("補助金", "ものづくり", "IT導入", "事業", "省エネルギー", "研究開発")

    def client(count: int) -> None:
        with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as http:
            for n in range(count):
                params = {"keyword": keywords[n % len(keywords)], "sort": "acceptance_end_datetime", "order": "ASC",
                          "acceptance": "1"}  # fmt: skip
                started = time.perf_counter()
                answer = http.get("/exp/v1/public/subsidies", params=params)
                with lock:
                    samples.append((time.perf_counter() - started) * 1000)
                    statuses[str(answer.status_code)] += 1

    wall = run_parallel(clients, share, client)
    return wall, samples, statuses


# ---------------------------------------------------------------------------------------------- verification


@dataclass
class Verdict:
    acknowledged: int = 0  # submissions the client was given a receipt for
    unfinished: int = 0  # not submitted: left at the time limit, or failed (see notes)
    lost: int = 0
    duplicated: int = 0
    receipts_repeated: int = 0
    attachments: int = 0
    attachments_bad: int = 0
    orphans: int = 0  # declarations whose answer never reached the client (a retried presign)
    api_mismatches: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.notes) < 10:
            self.notes.append(text)


def verify(demo: Mapping[str, Any], applicants: list[Applicant], drill: Drill) -> Verdict:
    """Every submission the clients were given a receipt for is in the store exactly once, SUBMITTED or beyond,
    with that receipt and its files intact; no corporation has two applications for one subsidy."""
    import boto3

    verdict = Verdict()
    env = demo["aws"]["environment"]
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb")
    s3 = session.client("s3")

    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=env["APPLICATIONS_TABLE_NAME"], ConsistentRead=True):
        items += page.get("Items", [])
    drill_corporations = {a.corporate_number for a in applicants}
    apps = [i for i in items if i["sk"]["S"] == "APP" and i["corporate_number"]["S"] in drill_corporations]
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in apps:
        by_pair[(item["corporate_number"]["S"], item["subsidy_id"]["S"])].append(item)
    attachments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        if item["sk"]["S"].startswith("ATT#"):
            attachments[item["pk"]["S"].removeprefix("APP#")].append(item)
    receipts = Counter(i["receipt_number"]["S"] for i in apps if "receipt_number" in i)
    verdict.receipts_repeated = sum(n - 1 for n in receipts.values() if n > 1)
    verdict.duplicated = sum(len(found) - 1 for found in by_pair.values()) + verdict.receipts_repeated

    outcomes = {(o.corporate_number, o.subsidy_id): o for o in drill.outcomes}
    for pair, outcome in outcomes.items():
        if outcome.receipt_number is None:
            verdict.unfinished += 1
            if outcome.failure:
                verdict.note(f"failed {pair}: {outcome.failure}")
            continue
        verdict.acknowledged += 1
        held = [i for i in by_pair.get(pair, []) if i.get("receipt_number", {}).get("S") == outcome.receipt_number]
        if len(held) != 1 or held[0]["status"]["S"] not in DONE:
            verdict.lost += 1
            verdict.note(f"lost {pair}: receipt {outcome.receipt_number} held {len(held)} times")
            continue
        for attachment in attachments.get(held[0]["application_id"]["S"], []):
            sent = outcome.declared.get(attachment["attachment_id"]["S"])
            if sent is None:
                verdict.orphans += 1
                continue
            verdict.attachments += 1
            declared = attachment["sha256"]["S"]
            body = s3.get_object(Bucket=env["ATTACHMENTS_BUCKET_NAME"], Key=attachment["s3_key"]["S"])["Body"].read()
            stored = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if attachment["state"]["S"] != "VERIFIED" or not stored == declared == sent:
                verdict.attachments_bad += 1
                verdict.note(f"attachment {attachment['attachment_id']['S']}: {attachment['state']['S']}")

    # Through the API, as each corporation sees its applications.
    with httpx.Client(base_url=demo["base_url"], timeout=REQUEST_TIMEOUT) as api:
        for applicant in applicants:
            listed = api.get(APPS, headers={"Authorization": applicant.authorization})
            listed.raise_for_status()
            seen: Counter[str] = Counter(a["subsidy_id"] for a in listed.json()["applications"])
            for (number, subsidy_id), outcome in outcomes.items():
                if number != applicant.corporate_number or outcome.receipt_number is None:
                    continue
                if seen[subsidy_id] != 1:
                    verdict.api_mismatches += 1
                one = api.get(f"{APPS}/{outcome.application_id}", headers={"Authorization": applicant.authorization})
                body = one.json()
                states = {a["id"]: (a["state"], a["sha256"]) for a in body.get("attachments") or []}
                intact = all(states.get(i) == ("VERIFIED", d) for i, d in outcome.declared.items())
                number_seen = body.get("receipt_number") == outcome.receipt_number
                if one.status_code != 200 or body["status"] not in DONE or not intact or not number_seen:
                    verdict.api_mismatches += 1
    return verdict


# ---------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of uploads/submits sent twice")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds; the drill stops after it")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--login", action="store_true", help="clients sign in with password and TOTP, then SSO")
    args = parser.parse_args()
    per_client = -(-args.submissions // args.clients)

    process, demo = start_devstack(corporations=max(1000, args.clients * 4))
    try:
        use_devstack_aws(demo)
        started = time.perf_counter()
        applicants = provision_applicants(demo, corporations_from_gbizinfo(demo, args.clients), args.login)
        subsidies = open_subsidies(demo, per_client)
        print(
            f"setup: {len(applicants)} Prime accounts and tokens, {len(subsidies)} open subsidies "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        drill = Drill(demo, args.duplicates, args.seed, time.monotonic() + args.time_limit)
        # every client works on its corporation's applications; the total is capped at --submissions
        plan = [(a, subsidies[: min(per_client, max(0, args.submissions - n * per_client))]) for n, a in
                enumerate(applicants)]  # fmt: skip

        wall = run_parallel(args.clients, plan, lambda item: drill.run_client(*item))
        submitted = sum(1 for o in drill.outcomes if o.receipt_number)
        print(f"drill: {submitted} submissions in {wall:.1f} s", flush=True)

        base_wall, base_samples, base_statuses = catalogue_baseline(demo["base_url"], args.clients, args.submissions)
        started = time.perf_counter()
        verdict = verify(demo, applicants, drill)
        verify_s = time.perf_counter() - started
        now_mb, peak_mb = resident_mb(process.pid)
    finally:
        stop_devstack(process)

    report(args, drill, wall, submitted, verdict, verify_s, (base_wall, base_samples, base_statuses), (now_mb, peak_mb))


def report(
    args: argparse.Namespace,
    drill: Drill,
    wall: float,
    submitted: int,
    verdict: Verdict,
    verify_s: float,
    baseline: tuple[float, list[float], Counter[str]],
    memory: tuple[float, float],
) -> None:
    rec = drill.recorder
    base_wall, base_samples, base_statuses = baseline
    print()
    print(f"jGrants deadline drill: {args.submissions} submissions, {args.clients} concurrent clients, "
          f"{args.duplicates:.0%} sent twice (ms: p50 / p95 / p99)")  # fmt: skip
    print(f"{'step':<44}{'n':>7}{'p50':>10}{'p95':>10}{'p99':>10}")
    for step in STEPS:
        samples = rec.latencies.get(step, [])
        if not samples and step in ("login", "sso"):
            continue
        p50, p95, p99 = percentiles(samples)
        label = step + LABELS.get(step, "")
        print(f"{label:<44}{len(samples):>7}{p50:>10.0f}{p95:>10.0f}{p99:>10.0f}")
    p50, p95, p99 = percentiles(base_samples)
    print(f"{'baseline: GET public catalogue, same clients':<44}{len(base_samples):>7}{p50:>10.0f}{p95:>10.0f}"
          f"{p99:>10.0f}")  # fmt: skip
    print()
    print(f"{'submissions/s (drill wall ' + f'{wall:.0f} s)':<44}{submitted / wall:>17.2f}")
    print(f"{'HTTP requests/s during the drill':<44}{rec.requests / wall:>17.1f}")
    print(f"{'baseline catalogue GETs/s':<44}{len(base_samples) / base_wall:>17.1f}")
    answers = ", ".join(f"{step} {status}: {n}" for (step, status), n in sorted(rec.answers.items())) or "none"
    print(f"answers other than success: {answers}")
    print(f"retries: {dict(rec.retries) or 'none'}; sent twice: {dict(rec.duplicates)}")
    print(f"baseline statuses: {dict(base_statuses)}")
    failures = Counter((o.failure or "").split(":")[0] for o in drill.outcomes if o.failure)
    abandoned = sum(1 for o in drill.outcomes if o.abandoned)
    print(f"applications under way at the time limit: {abandoned}; failed: {sum(failures.values())} {dict(failures)}")
    print()
    print(f"verification ({verify_s:.0f} s, the store and the API): {verdict.acknowledged} receipts given, "
          f"{verdict.unfinished} not submitted, {verdict.attachments} attachments checked against S3")  # fmt: skip
    print(f"  receipts repeated: {verdict.receipts_repeated}, attachments bad: {verdict.attachments_bad}, "
          f"declarations never answered (retried presign): {verdict.orphans}, "
          f"API disagreements: {verdict.api_mismatches}")  # fmt: skip
    for note in verdict.notes:
        print(f"  {note}")
    print(f"lost: {verdict.lost}, duplicated: {verdict.duplicated}")
    print(f"devstack process resident memory: {memory[0]:,.0f} MB now, {memory[1]:,.0f} MB peak")


if __name__ == "__main__":
    main()
