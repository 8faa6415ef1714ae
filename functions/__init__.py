"""The platform's Lambda functions, one package per service."""
