"""A local emulator of the platforms TokenDeck talks to, on 127.0.0.1 only (starlette + uvicorn).

Today it serves a generic OAuth 2.0 / OIDC issuer; each platform gets its own base URL with the
platform's real paths at its root.
"""
