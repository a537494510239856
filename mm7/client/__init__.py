"""MM7 client: HTTP transport, retry policy and throttling."""
