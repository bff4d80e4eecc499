"""Single sign-on with the institution's OpenID Connect provider (Authlib): configured by environment variables.

The authorization code flow with PKCE (S256); Authlib keeps `state` and `nonce` in the session and checks the ID
token's signature (the provider's JWKS), issuer, audience, expiry and nonce. Teams and roles stay Belletje's: the
e-mail claim only says which Belletje account signs in.
"""
import os

from authlib.integrations.flask_client import OAuth
from flask import current_app

PROVIDER = "institution"
EXTENSION = "authlib.integrations.flask_client"


def init_app(app) -> None:
    """Register the provider when the environment (or the test config) names one."""
    for key in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"):
        app.config.setdefault(key, os.environ.get(f"BELLETJE_{key}", ""))
    oauth = OAuth(app)  # one per app: each app (each test) has its own provider
    if configured(app):
        issuer = app.config["OIDC_ISSUER"].rstrip("/")
        oauth.register(PROVIDER, client_id=app.config["OIDC_CLIENT_ID"],
                       client_secret=app.config["OIDC_CLIENT_SECRET"],
                       server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                       client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})


def configured(app) -> bool:
    """True when an issuer and a client id are set."""
    return bool(app.config.get("OIDC_ISSUER") and app.config.get("OIDC_CLIENT_ID"))


def provider():
    """The registered provider's Authlib client."""
    return current_app.extensions[EXTENSION].create_client(PROVIDER)


def provider_name(app) -> str:
    """What the login page calls the provider: `BELLETJE_OIDC_NAME`, else the issuer's host."""
    return app.config.get("OIDC_NAME") or app.config["OIDC_ISSUER"].split("//")[-1].split("/")[0]
