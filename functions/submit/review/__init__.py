"""The ministry's review of applications: screening, assignment, decisions by task token, award publication."""
