"""A real SMS gateway over HTTP: POST {"to", "text"} as JSON with a bearer token."""

from __future__ import annotations

import logging

import requests

from portal.otp.sms_message import SmsError, SmsMessage

log = logging.getLogger(__name__)
# (connect, read) seconds: a slow gateway must not hold the request (and its locks) long.
TIMEOUT = (3.05, 7.0)


class HttpGatewayBackend:
    """SMS_BACKEND=http: any gateway that takes a JSON POST at SMS_GATEWAY_URL.

    A non-2xx answer, a timeout or a refused connection raises SmsError; the message text
    (which holds the code) is never logged.
    """

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, message: SmsMessage) -> None:
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.post(
                self.url,
                json={"to": message.to, "text": message.text},
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            log.warning("SMS gateway unreachable for %s: %s", message.to, type(exc).__name__)
            raise SmsError(f"gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            log.warning("SMS gateway answered %s for %s", response.status_code, message.to)
            raise SmsError(f"gateway answered {response.status_code}")
        log.info("SMS to %s handed to the gateway", message.to)
