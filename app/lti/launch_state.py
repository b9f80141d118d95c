"""Where pylti1p3 keeps what a login hands to its launch: not in Hocso's session.

The launch is a form posted from the platform's site; the session cookie is SameSite=Lax, so
the browser does not send it there. The nonce therefore lives in the database (used once: a
replayed launch is refused), and the state in a short cookie of its own, path /lti/, sent
cross-site (SameSite=None, which browsers allow only on HTTPS; pylti1p3 sets it so).
"""

from datetime import timedelta

import sqlalchemy as sa
from pylti1p3.contrib.flask import FlaskCookieService
from pylti1p3.session import SessionService

from app.database import own_write_connection, utcnow
from app.lti.models import LtiNonce

NONCE_LIFETIME = timedelta(minutes=10)  # a platform answers a login within seconds
STATE_COOKIE_PATH = "/lti/"


class DatabaseLaunchState(SessionService):
    """Each write is a short transaction of its own: none is held while pylti1p3 fetches the
    platform's keys."""

    def save_nonce(self, nonce: str) -> None:
        now = utcnow()
        with own_write_connection() as connection:
            connection.execute(sa.delete(LtiNonce).where(LtiNonce.expires_at < now))
            connection.execute(sa.insert(LtiNonce).values(nonce=nonce[:128],
                                                          expires_at=now + NONCE_LIFETIME))

    def check_nonce(self, nonce: str) -> bool:
        """True once: the nonce is deleted as it is accepted."""
        with own_write_connection() as connection:
            return connection.execute(sa.delete(LtiNonce).where(
                LtiNonce.nonce == nonce[:128], LtiNonce.expires_at >= utcnow())).rowcount == 1

    # Hocso keeps what it needs of a launch in its own tables; pylti1p3's copy of the launch
    # and its "state already seen" shortcut (which would let a launch be posted again) are off.
    def save_launch_data(self, key, jwt_body) -> None:
        pass

    def get_launch_data(self, key):
        return None

    def save_state_params(self, state, params) -> None:
        pass

    def get_state_params(self, state):
        return {}

    def set_state_valid(self, state, id_token_hash) -> None:
        pass

    def check_state_is_valid(self, state, id_token_hash) -> bool:
        return False


class StateCookies(FlaskCookieService):
    """pylti1p3's state cookie, sent only to /lti/."""

    def update_response(self, response):
        for key, cookie in self._cookie_data_to_set.items():
            secure = self._request.is_secure()
            response.set_cookie(key, cookie["value"], max_age=cookie["exp"], path=STATE_COOKIE_PATH,
                                secure=secure, httponly=True, samesite="None" if secure else None)
