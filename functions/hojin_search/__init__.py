"""gBizINFO (法人インフォメーション): corporate open data keyed by the corporate number."""
