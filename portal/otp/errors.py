"""One-time codes: error codes and their messages (document 000's wording where it has one)."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode, Message, register_messages


class OtpError(ErrorCode):
    TOO_MANY_SENDS = "too_many_sends"
    SMS_FAILED = "sms_failed"
    NO_CODE = "no_code"
    CODE_REQUIRED = "code_required"
    CODE_EXPIRED = "code_expired"
    CODE_LOCKED = "code_locked"
    CODE_WRONG = "code_wrong"
    CUSTOMER_BLOCKED = "customer_blocked"


MESSAGES: dict[OtpError, Message] = {
    OtpError.TOO_MANY_SENDS: N_("Too many OTP sent. Please try again after 1 hour"),
    OtpError.SMS_FAILED: N_("We could not send the code. Please try again."),
    OtpError.NO_CODE: N_("Unable to verify otp"),
    OtpError.CODE_REQUIRED: N_("Enter the code we sent you."),
    OtpError.CODE_EXPIRED: N_("This code has expired. Ask for a new code."),
    OtpError.CODE_LOCKED: N_("Too many wrong codes. Ask for a new code."),
    OtpError.CODE_WRONG: N_("That code is not right. Check it and try again."),
    OtpError.CUSTOMER_BLOCKED: N_("This customer is blocked, so no code can be sent."),
}
register_messages(MESSAGES)
