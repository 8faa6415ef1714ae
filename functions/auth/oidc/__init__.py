"""gBizID's OpenID Provider: authlib's authorization server over our DynamoDB items and KMS keys.

``clock`` (the one time source, patched in tests), ``store`` (authorization requests, codes, refresh-token
families, consents), ``claims`` (what each scope releases; the tier gate; pure), ``tokens`` (access and ID
tokens signed in KMS, verified with the published JWKS), ``provider`` (authlib's server and grants),
``registry`` (relying-party registration), ``pages`` (the HTML the browser sees).
"""
