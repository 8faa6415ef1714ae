"""jGrants (補助金申請システム): a ministry's subsidy catalogue, applications and their review."""
