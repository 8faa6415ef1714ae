"""The subsidy catalogue as a ministry's operators edit it: documents, their versions, form schemas."""
