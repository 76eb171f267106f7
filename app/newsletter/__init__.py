"""The wins newsletter's pages: preview and send, the archived issues, unsubscribe."""
