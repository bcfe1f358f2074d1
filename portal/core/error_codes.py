"""The one message table: every error code of the portal, by domain, with its sentence.

Errors by code (Saleor's style): each domain's codes are one `ErrorCode` enum below,
each member declared with its message (`NAME = "code", N_("Sentence.")`); members
register themselves in the table as they are made, and a code means one thing
everywhere (portal/core/errors.py refuses a second sentence). Services raise
`ServiceError(Code.MEMBER, field=..., **params)`; the JSON API answers the English
sentence with the code beside it, pages show it translated (portal/i18n/messages.py).
Sentences not marked with N_ are read only by integrations and stay in English.

Why one module: one place to read every refusal a user or an integrator can meet, and
to check that wording stays consistent across domains.
"""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class InputError(ErrorCode):
    """Input the edge accepts (portal/core/inputs.py)."""

    INVALID_CHARACTERS = "invalid_characters", N_("Remove the invalid characters.")
    JSON_TOO_DEEP = "json_too_deep", "JSON may be nested at most %(depth)s levels deep"
    # Read by integrations (the API's bodies and the services' field lists), not pages.
    UNKNOWN_FIELD = "unknown_field", "Unknown or read-only field: %(name)s"


class PhoneError(ErrorCode):
    """Phone numbers (portal/core/phone.py)."""

    PHONE_REQUIRED = "phone_required", N_("Enter a phone number.")
    PHONE_INVALID = "phone_invalid", N_("Enter a valid phone number.")


class DateError(ErrorCode):
    """Dates and date ranges (portal/core/dates.py)."""

    DATE_INVALID = "date_invalid", N_("Enter the date as YYYY-MM-DD.")
    DATE_RANGE_INVALID = (
        "date_range_invalid",
        N_("The start date must be on or before the end date."),
    )


class CustomerError(ErrorCode):
    """Customers: error codes of field validation and of the customer services, and
    their messages. The JSON API answers these sentences; pages show them
    translated."""

    TOO_LONG = "too_long", N_("Use at most %(max)s characters.")
    EMAIL_INVALID = "email_invalid", N_("Enter a valid email address.")
    DOB_FUTURE = "dob_future", N_("Date of birth must be in the past.")
    DOB_IMPLAUSIBLE = "dob_implausible", N_("Date of birth is too far in the past.")
    AGE_INVALID = "age_invalid", N_("Age must be a whole number from 0 to 120.")
    POSTAL_CODE_INVALID = "postal_code_invalid", N_("Enter a valid postal code.")
    DOCUMENT_INVALID = "document_invalid", N_("Use 4 to 32 letters, digits or dashes.")
    GENDER_INVALID = "gender_invalid", N_("Choose one of: %(options)s.")
    NATIONALITY_INVALID = "nationality_invalid", N_("Choose a country from the list.")
    COUNTRY_INVALID = "country_invalid", N_("Use an ISO 3166 country code such as BD, ID or US.")
    LANGUAGE_UNSUPPORTED = "language_unsupported", N_("Unsupported language.")
    REGION_INVALID = "region_invalid", N_("Choose a district from the list.")
    CATEGORY_UNKNOWN = "category_unknown", N_("Unknown category.")
    NOT_A_WHOLE_NUMBER = "not_a_whole_number", N_("Must be a whole number.")
    FIRST_NAME_REQUIRED = "first_name_required", N_("Enter your first name.")
    PHONE_TAKEN = "phone_taken", N_("This phone number already belongs to another customer.")
    DELETED = "customer_deleted", N_("This customer has been deleted.")
    NOT_DELETED = "not_deleted", N_("This customer is not deleted.")
    ERASE_PHONE_MISMATCH = (
        "erase_phone_mismatch",
        N_("Type this customer's phone number to confirm the erasure."),
    )
    STOREFRONT_BLOCKED = (
        "storefront_blocked",
        N_("A blocked customer cannot get a storefront account. Unblock them first."),
    )
    PROFILE_STALE = (
        "stale",
        N_(
            "Someone else saved this profile after you opened it. "
            "Reload the page to see their changes, then edit again."
        ),
    )
    SAVED_CONCURRENTLY = (
        "saved_concurrently",
        N_("Someone else saved this customer at the same time."),
    )
    NOT_EDITABLE = "not_editable", N_("This field cannot be changed here.")
    FIELD_REQUIRED = "field_required", N_("This field is required.")
    VERSION_INVALID = "version_invalid", N_("Reload the page and edit again.")
    SAME_PHONE = "same_phone", N_("This is already your phone number.")
    NO_CHANGE_PENDING = "no_change", N_("Start again: enter your new phone number.")
    ORDERS_PER_PAGE_INVALID = "orders_per_page_invalid", N_("per_page must be between 1 and 100.")
    ORDERS_PAGE_INVALID = "orders_page_invalid", N_("The page number must be 1 or more.")
    # The JSON API's wording (document 003); pages offer only the allowed actions.
    STATUS_INVALID = (
        "status_invalid",
        "status must be one of 0 (refuse), 1 (accept), 2 (activate), 4 (block), "
        "5 (delete), 6 (unblock)",
    )
    TRANSITION_INVALID = (
        "transition_invalid",
        "Cannot %(action)s a customer whose status is %(current)s.",
    )


class OtpError(ErrorCode):
    """One-time codes: error codes and their messages (document 000's wording where it
    has one)."""

    TOO_MANY_SENDS = "too_many_sends", N_("Too many OTP sent. Please try again after 1 hour")
    SMS_FAILED = "sms_failed", N_("We could not send the code. Please try again.")
    NO_CODE = "no_code", N_("Unable to verify otp")
    CODE_REQUIRED = "code_required", N_("Enter the code we sent you.")
    CODE_EXPIRED = "code_expired", N_("This code has expired. Ask for a new code.")
    CODE_LOCKED = "code_locked", N_("Too many wrong codes. Ask for a new code.")
    CODE_WRONG = "code_wrong", N_("That code is not right. Check it and try again.")
    COUNTRY_NOT_ALLOWED = (
        "country_not_allowed",
        N_("This shop cannot send codes to phone numbers of that country."),
    )
    SMS_BUDGET = (
        "sms_budget",
        N_("Too many codes are being sent right now. Please try again later."),
    )
    CUSTOMER_BLOCKED = "customer_blocked", N_("This customer is blocked, so no code can be sent.")


class AssistError(ErrorCode):
    """Walk-in registration: error codes and their messages."""

    SHOPPER_FIRST_NAME_REQUIRED = (
        "shopper_first_name_required",
        N_("Enter the shopper's first name."),
    )
    SHOPPER_LAST_NAME_REQUIRED = "shopper_last_name_required", N_("Enter the shopper's last name.")
    SHOPPER_PHONE_REQUIRED = "shopper_phone_required", N_("Enter the shopper's phone number.")
    NOT_ASSISTANT = "not_assistant", N_("Only retailer assistants can register shoppers.")
    PHONE_UNAVAILABLE = (
        "phone_unavailable",
        N_("This phone number cannot be registered here. Ask the merchant for help."),
    )
    ALREADY_CUSTOMER = (
        "already_customer",
        N_("This shopper is already a customer of the shop: nothing more is needed."),
    )
    CODE_FORMAT = "code_invalid", N_("Enter the 6-digit code from the shopper's phone.")
    NO_PHONE = "no_phone", N_("This customer has no phone number.")
    CODE_NOT_THEIRS = "code_not_theirs", N_("Unable to verify otp")


class LinkError(ErrorCode):
    """Edit links and the forms behind them: error codes and their messages (shown to
    the customer who opened the link, translated)."""

    UNKNOWN = "link_unknown", N_("This link does not exist. Check that you copied all of it.")
    EXPIRED = "link_expired", N_("This link has expired. Ask the shop for a new one.")
    USED = "link_used", N_("This link has already been used. Ask the shop for a new one.")
    REVOKED = "link_revoked", N_("This link was cancelled by the shop. Ask the shop for a new one.")
    PURPOSE_UNKNOWN = "purpose_invalid", N_("Choose billing, shipping or card.")
    LINE1_REQUIRED = "line1_required", N_("Enter the street address.")
    POSTAL_REQUIRED = "postal_code_required", N_("Enter the postal code.")
    POSTAL_MISMATCH = (
        "postal_code_mismatch",
        N_("This postal code does not belong to the chosen district."),
    )
    CARD_NUMBER_INVALID = "card_number_invalid", N_("Enter a valid card number.")
    EXPIRY_INVALID = "expiry_invalid", N_("Enter the expiry as MM/YY.")
    EXPIRY_PAST = "card_expired", N_("This card has expired.")
    CVC_INVALID = "cvc_invalid", N_("Enter the 3 or 4 digit security code.")


class MerchantError(ErrorCode):
    """The console's own refusals (categories, reports, bulk actions, edit links sent
    from the console): error codes and their messages."""

    CATEGORY_NOT_FOUND = "category_not_found", N_("Unable to find this category.")
    REASON_TOO_LONG = "reason_too_long", N_("The reason can be at most %(max)s characters.")
    REASON_NEEDED_FOR_SMS = (
        "reason_needed_for_sms",
        N_("Write the reason to text it to the customer."),
    )
    DECISION_INVALID = "decision_invalid", N_("Choose Accept or Refuse.")
    UNDO_EXPIRED = "undo_expired", N_("This can no longer be undone: 10 minutes have passed.")
    UNDO_INVALID = "undo_invalid", N_("This undo link is not valid.")
    RANGE_REVERSED = "range_reversed", N_("The first day must not be after the last day.")
    RANGE_TOO_LONG = "range_too_long", N_("Choose at most %(days)s days.")
    CATEGORY_IN_USE = (
        "category_in_use",
        N_("Customers still use this category. Choose a category to move them to."),
    )
    CATEGORY_NAME_TAKEN = "name_taken", N_("A category with this name already exists.")
    BUILTIN_LOCKED = "builtin_category", N_("Built-in categories cannot be renamed or deleted.")
    CATEGORY_NAME_REQUIRED = "name_required", N_("Enter a name for the category.")
    CATEGORY_NAME_TOO_LONG = "name_too_long", N_("The name can be at most 100 characters.")
    REASSIGN_INVALID = (
        "reassign_invalid",
        N_("Choose another existing category to move the customers to."),
    )
    MONTHS_INVALID = "months_invalid", N_("months must be between 1 and 120.")
    CATEGORY_INVALID = "category_invalid", N_("Unknown category.")
    TOO_MANY_SELECTED = "too_many", N_("Select at most 100 customers at a time.")
    NO_PHONE_FOR_LINK = (
        "link_no_phone",
        N_("This customer has no phone number to send the link to."),
    )
    LINK_SMS_FAILED = "link_sms_failed", N_("The text message could not be sent. Try again later.")
    LINK_NOT_FOUND = "link_not_found", N_("Unable to find this link.")
    SMS_COUNTRIES_REQUIRED = "sms_countries_required", N_("Choose at least one country.")
    SMS_COUNTRY_UNKNOWN = "sms_country_unknown", N_("Choose countries from the list.")
    TIME_ZONE_UNKNOWN = "time_zone_unknown", N_("Choose a time zone from the list.")


class ApiError(ErrorCode):
    """The JSON API's own refusals: a body or a parameter that breaks the declared
    contract. The messages are the ones integrators have been reading ("phone is
    required"), in English as the documents word theirs (so not marked for the
    catalogs); `name` is the document's own field name."""

    JSON_INVALID = "json_invalid", "The body is not valid JSON"
    JSON_NOT_OBJECT = "json_not_object", "The body must be a JSON object"
    REQUIRED = "required", "%(name)s is required"
    WRONG_TYPE = "wrong_type", "%(name)s must be %(kind)s"
    NOT_ONE_OF = "not_one_of", "%(name)s must be one of %(options)s"
    TOO_SMALL = "too_small", "%(name)s must be at least %(limit)s"
    TOO_BIG = "too_big", "%(name)s must be at most %(limit)s"
    TOO_LONG = "field_too_long", "%(name)s must be at most %(max)s characters"
    TOO_MANY = "list_too_long", "%(name)s may hold at most %(max)s entries"
    TOO_FEW = "list_too_short", "%(name)s needs at least %(min)s entries"
    INVALID_VALUE = "invalid_value", "%(name)s is not a valid value"
    BOTH_PHONES = "both_phones", "Send unconfirmed_phone_number or phone_number, not both"
    PAGE_TOO_DEEP = (
        "page_too_deep",
        "page reaches past the first %(limit)s customers: follow next_cursor instead",
    )
    CURSOR_NEEDS_ID_ORDER = (
        "cursor_with_order",
        "cursor pages in id order: leave order_by out of q to use it",
    )
    CURSOR_INVALID = "cursor_invalid", "cursor is not one this API gave out"
    NO_MERCHANT_EMAIL = "no_email", "This merchant has no email address to send the file to"
    USE_ACTIVATION_STATUS = (
        "use_activation_status",
        "is_active is changed with PATCH /api/open/customer/activation-status",
    )
    NOT_AUTHENTICATED = "not_authenticated", "Customer not authenticated"
    IDEMPOTENCY_KEY_INVALID = (
        "idempotency_key_invalid",
        "Idempotency-Key must be 1 to %(max)s visible ASCII characters",
    )
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request",
    )
    IDEMPOTENCY_KEY_IN_USE = (
        "idempotency_key_in_use",
        "The first request with this Idempotency-Key has not finished: retry shortly",
    )


class OrderError(ErrorCode):
    """Orders an order system sends (portal/customers/order_intake.py): read by
    integrations, so in English like ApiError and not in the catalogs; `field` is the
    request's own name, down to the item (`items[2].quantity`)."""

    CUSTOMER_UNKNOWN = (
        "order_customer_unknown",
        "customer_id does not name a customer of this merchant",
    )
    DATE_INVALID = (
        "order_date_invalid",
        "date must be YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601 with an offset",
    )
    DATE_FUTURE = "order_date_future", "date must not be later than %(limit)s (UTC)"
    STATUS_INVALID = "order_status_invalid", "status must be one of %(options)s"
    ROWS_DIFFER = (
        "order_rows_differ",
        "%(name)s differs from the first row of PO number %(po)s",
    )
    NOT_FOUND = "order_not_found", "Unable to find order"


class StaffError(ErrorCode):
    """Staff accounts' own refusals shown on their pages (portal/staff/password_reset.py),
    translated."""

    NEW_PASSWORD_SHORT = (
        "new_password_short",
        N_("Use a password of at least %(min)s characters."),
    )
    NEW_PASSWORD_MISMATCH = "new_password_mismatch", N_("The two passwords do not match.")
    RESET_LINK_INVALID = (
        "reset_link_invalid",
        N_("This link has expired or was already used."),
    )
    TWO_FACTOR_CODE_REQUIRED = (
        "two_factor_code_required",
        N_("Enter the 6-digit code from your authenticator app."),
    )
    TWO_FACTOR_CODE_WRONG = (
        "two_factor_code_wrong",
        N_("That code is not right. Check that your phone's clock is correct and try again."),
    )
    TWO_FACTOR_CODE_USED = (
        "two_factor_code_used",
        N_("That code was already used. Wait for the next code in your app."),
    )
    TWO_FACTOR_LOCKED = (
        "two_factor_locked",
        N_("Too many wrong codes. Sign in again with your password."),
    )
    TWO_FACTOR_SIGNIN_EXPIRED = (
        "two_factor_signin_expired",
        N_("The sign-in took too long. Sign in again with your password."),
    )
    TWO_FACTOR_PASSWORD_WRONG = "two_factor_password_wrong", N_("The password is not right.")
    TWO_FACTOR_REQUIRED_BY_SHOP = (
        "two_factor_required_by_shop",
        N_("Your shop requires two-factor sign-in, so it cannot be switched off."),
    )
    TWO_FACTOR_OWNER_FIRST = (
        "two_factor_owner_first",
        N_("Switch on two-factor sign-in for your own account first."),
    )
    TWO_FACTOR_ALREADY_ON = "two_factor_already_on", N_("Two-factor sign-in is already on.")
    TWO_FACTOR_NOT_ON = "two_factor_not_on", N_("Two-factor sign-in is not on.")


class TeamError(ErrorCode):
    """The owner's team page: invitations and roles (portal/staff/invitations.py),
    translated."""

    INVITE_EMAIL_MEMBER = (
        "invite_email_member",
        N_("This email already belongs to a member of your team."),
    )
    INVITE_EMAIL_ELSEWHERE = (
        "invite_email_elsewhere",
        N_("This email already has a portal account in another shop. Invite another email."),
    )
    INVITE_PENDING = (
        "invite_pending",
        N_('This email is already invited. Use "Send again" in the pending invitations.'),
    )
    ROLE_INVALID = "role_invalid", N_("Choose a role from the list.")
    ROLE_OF_OWNER = "role_of_owner", N_("An owner's role cannot be changed here.")
    INVITATION_LINK_INVALID = (
        "invitation_link_invalid",
        N_("This invitation has expired, was cancelled or was already used."),
    )
    NAME_REQUIRED = "invitee_name_required", N_("Enter your name.")


class CustomerImportError(ErrorCode):
    """A customer file refused as a whole (portal/customers/importing.py), shown on the
    import page translated and answered by the API in English."""

    FILE_TOO_LARGE = "import_file_too_large", N_("The file is larger than %(limit)s MB.")
    TOO_MANY_ROWS = "import_too_many_rows", N_("The file has more than %(limit)s rows.")
    UNREADABLE = (
        "import_unreadable",
        N_("The file could not be read: upload a CSV (UTF-8) or XLSX file."),
    )
    NO_HEADER = "import_no_header", N_("The file's first row must name the columns.")
    FILE_REQUIRED = "import_file_required", N_("Choose a file to import.")
    COLUMNS_MISSING = "import_columns_missing", N_("The file needs the columns %(columns)s.")
    NOT_FOUND = "import_not_found", N_("Unable to find this import.")


class JobError(ErrorCode):
    """Background jobs as /merchant/jobs and GET /api/open/jobs/<id> show them
    (portal/merchants/export_jobs.py, portal/merchants/job_list.py)."""

    NOT_FOUND = "job_not_found", N_("Unable to find this job.")
    NOT_CANCELLABLE = "job_not_cancellable", N_("This job has already ended.")


class NotesTagsError(ErrorCode):
    """Tags and notes on customers (portal/customers/tags.py, notes.py), shown on the
    customer page translated and answered by the API in English."""

    TAG_REQUIRED = "tag_required", N_("Enter a tag.")
    TAG_TOO_LONG = "tag_too_long", N_("A tag can be at most %(max)s characters.")
    TOO_MANY_TAGS = "too_many_tags", N_("A customer can have at most %(max)s tags.")
    TAG_NOT_FOUND = "tag_not_found", N_("Unable to find this tag.")
    NOTE_REQUIRED = "note_required", N_("Write the note first.")
    NOTE_TOO_LONG = "note_too_long", N_("A note can be at most %(max)s characters.")
    NOTE_NOT_FOUND = "note_not_found", N_("Unable to find this note.")
    NOTE_NOT_YOURS = (
        "note_not_yours",
        N_("Only the note's author or an owner can change it."),
    )


class ConsentError(ErrorCode):
    """Marketing consent (portal/customers/consent.py): the import names the column, the
    API the field."""

    CONSENT_INVALID = "consent_invalid", N_("Use true or false (yes/no, 1/0).")
    CHANNEL_INVALID = "consent_channel_invalid", "Consent channel must be sms or email"
    SOURCE_INVALID = "consent_source_invalid", "Unknown consent source"


class SegmentError(ErrorCode):
    """Segments, the customer list's saved filters (portal/customers/segments.py), shown
    on the list page and /merchant/segments translated."""

    NAME_REQUIRED = "segment_name_required", N_("Enter a name for the segment.")
    NAME_TOO_LONG = "segment_name_too_long", N_("A segment name can be at most %(max)s characters.")
    NAME_TAKEN = "segment_name_taken", N_("Another segment already has this name.")
    NOT_FOUND = "segment_not_found", N_("Unable to find this segment.")
    TOO_MANY = (
        "too_many_segments",
        N_("A shop can have at most %(max)s segments. Delete one first."),
    )


class RegistrationError(ErrorCode):
    """ "Create your shop" (portal/staff/registration.py), shown on its pages translated."""

    SHOP_NAME_REQUIRED = "shop_name_required", N_("Enter the name of your shop.")
    SHOP_NAME_TOO_LONG = "shop_name_too_long", N_("Use at most %(max)s characters.")
    EMAIL_REQUIRED = "registration_email_required", N_("Enter your email address.")
    COUNTRY_REQUIRED = "registration_country_required", N_("Choose the country of your shop.")
    LINK_INVALID = (
        "registration_link_invalid",
        N_("This confirmation link has expired or was already used."),
    )
    EMAIL_TAKEN = (
        "registration_email_taken",
        N_("This email already has an account. Sign in instead."),
    )


class MergeError(ErrorCode):
    """Merging two records of one person (portal/customers/merging.py), shown on the
    merge page and the customer page translated."""

    SAME_CUSTOMER = "merge_same_customer", N_("A customer cannot be merged with itself.")
    CHOICE_INVALID = (
        "merge_choice_invalid",
        N_("Choose which record's value to keep for each field."),
    )
    TOO_MANY_TAGS = (
        "merge_too_many_tags",
        N_("Together the two records carry more than %(max)s tags. Remove some first."),
    )
    NOT_FOUND = "merge_not_found", N_("Unable to find this merge.")
    ALREADY_UNDONE = "merge_already_undone", N_("This merge has already been undone.")
    UNDO_EXPIRED = (
        "merge_undo_expired",
        N_("A merge can be undone for 24 hours only; this one is older."),
    )
    ERASED = (
        "merge_erased",
        N_("This merge can no longer be undone: the customer's personal data was erased."),
    )
    MERGED = (
        "customer_merged",
        N_("This record was merged into another one. Undo the merge instead of restoring it."),
    )
