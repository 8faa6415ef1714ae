"""Accounts of gBizID: self-service sign-up with e-mail verification, login with lockout, the second-factor
step of the login, logout and password change. Cognito keeps passwords and account status; this package
keeps what Cognito does not (pending verifications, lockout counters, known devices) in the accounts table.
"""
