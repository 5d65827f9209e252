"""Real-time delivery: the protocol core, the connection hub, audience rules and the WebSocket
and SSE adapters."""
