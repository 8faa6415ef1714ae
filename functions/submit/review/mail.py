"""The review's mail: the applicant's decision notice, the reviewer's reminder, the operators' escalation.

Bilingual (Japanese first), no personal data beyond what the recipient already holds.
"""

from __future__ import annotations

from functions.submit.applications.model import Application

OUTCOME_JA = {"APPROVED": "採択", "REJECTED": "不採択", "RETURNED": "差戻し"}
OUTCOME_EN = {"APPROVED": "approved", "REJECTED": "rejected", "RETURNED": "returned for correction"}


def decision_mail(app: Application, status: str, amount: int | None, reason: str | None) -> tuple[str, str]:
    subject = f"【jGrants】審査結果のお知らせ / Review result: {app.receipt_number or app.application_id}"
    amount_ja = f"\n交付決定額: {amount:,} 円" if amount is not None and status == "APPROVED" else ""
    amount_en = f"\nAmount granted: {amount:,} yen" if amount is not None and status == "APPROVED" else ""
    reason_ja = f"\n理由: {reason}" if reason else ""
    reason_en = f"\nReason: {reason}" if reason else ""
    next_ja = "\n申請内容を修正して再提出してください。" if status == "RETURNED" else ""
    next_en = "\nPlease correct the application and submit it again." if status == "RETURNED" else ""
    body = (
        f"補助金「{app.subsidy_title}」の申請（受付番号 {app.receipt_number}）の審査結果: "
        f"{OUTCOME_JA.get(status, status)}{amount_ja}{reason_ja}{next_ja}\n\n"
        f'Your application for "{app.subsidy_title}" (receipt {app.receipt_number}) was '
        f"{OUTCOME_EN.get(status, status)}.{amount_en}{reason_en}{next_en}\n"
    )
    return subject, body


def reminder_mail(app: Application) -> tuple[str, str]:
    subject = f"【jGrants】審査期限を過ぎています / Review overdue: {app.receipt_number}"
    body = (
        f"担当の申請（受付番号 {app.receipt_number}、補助金「{app.subsidy_title}」）の審査が期限を過ぎています。\n"
        f"The review of application {app.receipt_number} ({app.subsidy_title}) assigned to you is overdue.\n"
    )
    return subject, body


def escalation_mail(app: Application, why: str) -> tuple[str, str]:
    subject = f"【jGrants】審査のエスカレーション / Review escalated: {app.receipt_number}"
    body = (
        f"申請（受付番号 {app.receipt_number}、補助金「{app.subsidy_title}」）の審査に対応が必要です。\n"
        f"The review of application {app.receipt_number} ({app.subsidy_title}) needs an operator: {why}.\n"
    )
    return subject, body
