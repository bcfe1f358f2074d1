"""One-time codes: error codes and their messages (document 000's wording where it has one)."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class OtpError(ErrorCode):
    TOO_MANY_SENDS = "too_many_sends", N_("Too many OTP sent. Please try again after 1 hour")
    SMS_FAILED = "sms_failed", N_("We could not send the code. Please try again.")
    NO_CODE = "no_code", N_("Unable to verify otp")
    CODE_REQUIRED = "code_required", N_("Enter the code we sent you.")
    CODE_EXPIRED = "code_expired", N_("This code has expired. Ask for a new code.")
    CODE_LOCKED = "code_locked", N_("Too many wrong codes. Ask for a new code.")
    CODE_WRONG = "code_wrong", N_("That code is not right. Check it and try again.")
    CUSTOMER_BLOCKED = "customer_blocked", N_("This customer is blocked, so no code can be sent.")
