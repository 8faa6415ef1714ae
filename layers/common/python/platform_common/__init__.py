"""Code shared by more than one service, shipped to Lambda as a layer (``/opt/python/platform_common``)."""
