"""A tiny HTTP request handler, tested without sockets: requests and responses are plain objects."""
