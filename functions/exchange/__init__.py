"""Data exchange (法人データ交換基盤): X-Road style REST gateway between government and private members."""
