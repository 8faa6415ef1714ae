"""Prime accounts (gBizIDプライム): applications, the operator's review, and the online path."""
