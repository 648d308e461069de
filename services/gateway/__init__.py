"""The HTTP front door: bearer-token auth, the command and read API, and the web pages."""
