"""The jGrants portal pages' building blocks: texts, the form generated from a subsidy's JSON Schema."""
