"""gBizID (法人共通認証基盤): the platform's OpenID Provider and account management."""
