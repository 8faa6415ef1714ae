"""What gBizID does, free of HTTP: one module per capability (discovery, assurance, clients, ...)."""
