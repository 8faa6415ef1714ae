"""Subsidy applications: statuses, drafts, prefill, attachments' part in submission, and submission."""
