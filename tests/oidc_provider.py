"""A real OpenID Connect provider for the tests: Authlib's authorization server with its own RSA key and a login form.

Run it as `python -m tests.oidc_provider PORT CLIENT_ID CLIENT_SECRET REDIRECT_PREFIX`. It knows every e-mail
address, each with the password `PROVIDER_PASSWORD`; it serves discovery, JWKS, the authorization endpoint (PKCE
S256 required), the token endpoint (a code works once) and an end-session page. A test can make it misbehave for
the next codes it issues with `POST /test/next-token` (JSON: "audience", "expires_in", "issuer"), to check that
the app refuses such ID tokens.
"""
import secrets
import sys
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from markupsafe import escape

PROVIDER_PASSWORD = "provider password"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"}, private=True)
CODES: dict[str, "Code"] = {}
NEXT_TOKEN: dict = {}


class Client:
    """The one registered client: the app under test."""

    def __init__(self, client_id: str, secret: str, redirect_prefix: str):
        self.client_id, self.secret, self.redirect_prefix = client_id, secret, redirect_prefix

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return bool(redirect_uri) and redirect_uri.startswith(self.redirect_prefix)

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code:
    """An issued authorization code and what it was issued for."""

    def __init__(self, code, client_id, redirect_uri, scope, user, nonce, challenge, method):
        self.code, self.client_id, self.redirect_uri, self.scope = code, client_id, redirect_uri, scope
        self.user, self.nonce, self.code_challenge, self.code_challenge_method = user, nonce, challenge, method
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def is_expired(self):
        return time.time() - self.auth_time > 300


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        CODES[code] = Code(code, request.client.get_client_id(), request.payload.redirect_uri, request.payload.scope,
                           request.user, request.payload.data.get("nonce"),
                           request.payload.data.get("code_challenge"),
                           request.payload.data.get("code_challenge_method"))

    def query_authorization_code(self, code, client):
        found = CODES.get(code)
        return found if found and found.client_id == client.get_client_id() and not found.is_expired() else None

    def delete_authorization_code(self, authorization_code):
        CODES.pop(authorization_code.code, None)  # a code works once: a replay finds nothing

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class IDToken(OpenIDCode):
    def __init__(self, issuer: str):
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def exists_nonce(self, nonce, request):
        return any(code.nonce == nonce for code in CODES.values())

    def resolve_client_private_key(self, client):
        return KEY

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": "test-key"}

    def get_client_claims(self, client):
        claims = {"iss": NEXT_TOKEN.get("issuer", self.issuer), "aud": [NEXT_TOKEN.get("audience", client.client_id)]}
        if "expires_in" in NEXT_TOKEN:
            now = int(time.time())
            claims |= {"iat": now + NEXT_TOKEN["expires_in"] - 3600, "exp": now + NEXT_TOKEN["expires_in"]}
        return claims

    def generate_user_info(self, user, scope):
        return UserInfo(sub=user, email=user, email_verified=True, name=user.split("@")[0])


def create_provider(port: int, client_id: str, secret: str, redirect_prefix: str) -> Flask:
    """The provider's Flask app, its issuer http://127.0.0.1:PORT."""
    issuer = f"http://127.0.0.1:{port}"
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    client = Client(client_id, secret, redirect_prefix)

    def save_token(token, request):
        pass

    server = AuthorizationServer(app, query_client=lambda cid: client if cid == client_id else None,
                                 save_token=save_token)
    server.register_grant(CodeGrant, [CodeChallenge(required=True), IDToken(issuer)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(issuer=issuer, authorization_endpoint=f"{issuer}/authorize", token_endpoint=f"{issuer}/token",
                       jwks_uri=f"{issuer}/jwks", end_session_endpoint=f"{issuer}/logout",
                       response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"], scopes_supported=["openid", "email", "profile"],
                       code_challenge_methods_supported=["S256"],
                       token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"])

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[KEY.as_dict(private=False)])

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            grant = server.get_consent_grant(end_user=None)  # checks client, redirect URI, PKCE, nonce
            del grant
            return _login_form(request.query_string.decode())
        if request.form.get("password") != PROVIDER_PASSWORD:
            return _login_form(request.query_string.decode(), "Wrong password."), 401
        return server.create_authorization_response(grant_user=request.form["email"].strip().lower())

    @app.post("/token")
    def token():
        response = server.create_token_response()
        NEXT_TOKEN.clear()
        return response

    @app.get("/logout")
    def logout():
        return "<!doctype html><html lang=en><title>Signed out</title><main><h1>Signed out at the provider</h1></main>"

    @app.post("/test/next-token")
    def next_token():
        NEXT_TOKEN.clear()
        NEXT_TOKEN.update(request.get_json())
        return jsonify(NEXT_TOKEN)

    return app


def _login_form(query: str, error: str = "") -> str:
    return (f"<!doctype html><html lang=en><title>Test provider</title><main><h1>Test institution sign-in</h1>"
            f"<p>{escape(error)}</p><form method=post action='/authorize?{escape(query)}'>"
            "<label for=email>E-mail</label><input id=email name=email type=email>"
            "<label for=password>Password</label><input id=password name=password type=password>"
            "<button>Sign in at the provider</button></form></main>")


if __name__ == "__main__":
    port, client_id, secret, prefix = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    create_provider(port, client_id, secret, prefix).run("127.0.0.1", port, threaded=True)
