"""Inviting members to the team and changing their role, as the owner does at /merchant/team.

Why it is built this way (the house pattern of portal/staff/password_reset.py):
- the mailed link is kept only as its keyed hash, looked up by that hash and compared in
  constant time, valid 72 hours and used once; sending an invitation again gives it a new
  token and hash, so the older link stops working at once;
- an email that already has an account is refused: in this shop it is a member already,
  and an account in another shop cannot be given a second shop (one email, one account,
  portal/staff/models.py). Saying "in another shop" tells an owner that the address is
  known to the portal; only owners can ask, they are rate-limited and every invitation is
  audited, and the alternative (an invitation that fails only when accepted) leaves the
  owner unable to tell why nobody joined;
- roles are named by one key, shared by the invitation and the role change: "SYSTEM",
  "OVERVIEW" or "partner:<id>" for an assistant of one of the shop's own partners.

Services only flush; the request boundary commits (and the mail goes after the commit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.core.audit import record_audit
from portal.core.error_codes import CustomerError, TeamError
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash, random_token, same_hash
from portal.core.mail import send_mail
from portal.core.time import as_utc, utcnow
from portal.customers.fields import clean_email
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.merchants.models import Merchant, Partner
from portal.staff.accounts import hash_password
from portal.staff.models import Permission, Role, StaffInvitation, StaffUser
from portal.staff.password_reset import check_new_password

INVITATION_HOURS = 72
NAME_MAX = 200
PARTNER_KEY = "partner:"

LinkFor = Callable[[str], str]


@dataclass(frozen=True)
class RoleChoice:
    """A role as stored on a staff user: role, permission and the assistant's partner."""

    role: str
    permission: str | None
    partner_id: int | None


def hash_invitation_token(plain: str) -> str:
    return keyed_hash(plain, purpose="staff-invitation")


def role_keys(merchant_id: int) -> list[tuple[str, Partner | None]]:
    """Every role key an owner can give, with the partner of the assistant keys."""
    partners = db.session.scalars(
        select(Partner).where(Partner.merchant_id == merchant_id).order_by(Partner.name)
    )
    keys: list[tuple[str, Partner | None]] = [
        (Permission.SYSTEM, None),
        (Permission.OVERVIEW, None),
    ]
    keys += [(f"{PARTNER_KEY}{partner.id}", partner) for partner in partners]
    return keys


def role_key_of(role: str, permission: str | None, partner_id: int | None) -> str:
    """The key naming a member's or an invitation's current role."""
    if role == Role.ASSISTANT:
        return f"{PARTNER_KEY}{partner_id}"
    return permission or Permission.OVERVIEW


def read_role(merchant_id: int, key: str) -> RoleChoice:
    """The role a key names; another shop's partner or any other word is refused."""
    if key in (Permission.SYSTEM, Permission.OVERVIEW):
        return RoleChoice(Role.STAFF, str(key), None)
    digits = (key or "").removeprefix(PARTNER_KEY)
    if key.startswith(PARTNER_KEY) and digits.isdigit():
        partner = db.session.scalar(
            select(Partner.id).where(Partner.merchant_id == merchant_id, Partner.id == int(digits))
        )
        if partner is not None:
            return RoleChoice(Role.ASSISTANT, None, partner)
    raise ServiceError(TeamError.ROLE_INVALID, field="role")


def pending_invitations(merchant_id: int) -> list[StaffInvitation]:
    """The shop's invitations not yet accepted or cancelled (expired ones too: the owner
    sees them and can send them again), newest first."""
    query = (
        select(StaffInvitation)
        .where(
            StaffInvitation.merchant_id == merchant_id,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.cancelled_at.is_(None),
        )
        .order_by(StaffInvitation.sent_at.desc(), StaffInvitation.id.desc())
    )
    return list(db.session.scalars(query))


def get_pending_invitation(merchant_id: int, invitation_id: int) -> StaffInvitation | None:
    """One pending invitation of this shop; another shop's id is None (the page answers 404)."""
    query = select(StaffInvitation).where(
        StaffInvitation.merchant_id == merchant_id,
        StaffInvitation.id == invitation_id,
        StaffInvitation.accepted_at.is_(None),
        StaffInvitation.cancelled_at.is_(None),
    )
    return db.session.scalar(query)


def _check_invitee(merchant_id: int, address: str) -> None:
    account = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == address))
    if account is not None and account.merchant_id == merchant_id:
        raise ServiceError(TeamError.INVITE_EMAIL_MEMBER, field="email", status=409)
    if account is not None:
        raise ServiceError(TeamError.INVITE_EMAIL_ELSEWHERE, field="email", status=409)
    pending = db.session.scalar(
        select(StaffInvitation.id).where(
            StaffInvitation.merchant_id == merchant_id,
            func.lower(StaffInvitation.email) == address,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.cancelled_at.is_(None),
        )
    )
    if pending is not None:
        raise ServiceError(TeamError.INVITE_PENDING, field="email", status=409)


def invite_member(
    merchant: Merchant, *, email: str, role: str, owner: StaffUser, link_for: LinkFor
) -> StaffInvitation:
    """Invite `email` to the team in the role `role` names, and mail them the link."""
    address = (clean_email(email) or "").lower()
    if not address:
        raise ServiceError(CustomerError.EMAIL_INVALID, field="email")
    choice = read_role(merchant.id, role)
    _check_invitee(merchant.id, address)
    invitation = StaffInvitation(
        merchant_id=merchant.id,
        email=address,
        role=choice.role,
        permission=choice.permission,
        partner_id=choice.partner_id,
        invited_by=owner.email,
    )
    plain = _new_link(invitation)
    db.session.add(invitation)
    db.session.flush()
    record_audit(
        merchant.id,
        actor=owner.email,
        action="team.invited",
        changes={
            "staff": address,
            "role": role_key_of(choice.role, choice.permission, choice.partner_id),
        },
    )
    _mail_after_commit(invitation, plain, owner, link_for)
    return invitation


def _new_link(invitation: StaffInvitation) -> str:
    """A fresh token for the invitation (the old hash is replaced: its link dies)."""
    plain = random_token(32)
    now = utcnow()
    invitation.token_hash = hash_invitation_token(plain)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(hours=INVITATION_HOURS)
    return plain


def _mail_after_commit(
    invitation: StaffInvitation, plain: str, owner: StaffUser, link_for: LinkFor
) -> None:
    merchant = invitation.merchant or db.session.get(Merchant, invitation.merchant_id)
    language = owner.language or (merchant.default_language if merchant else None) or "en"
    shop = merchant.name if merchant else ""
    enqueue_after_commit(
        mail_invitation, invitation.email, link_for(plain), language, shop, owner.email
    )


def mail_invitation(to: str, link: str, language: str, shop: str, inviter: str) -> None:
    """Job body: the invitation link, in the inviting owner's language."""
    with force_locale(language):
        subject = gettext("You are invited to the team of %(shop)s", shop=shop)
        body = gettext(
            "%(inviter)s invited %(email)s to the team of %(shop)s on the customer portal.\n\n"
            "To join, open this link within %(hours)s hours, then choose your name and "
            "password:\n%(link)s\n\n"
            "The link works once. If you did not expect it, ignore this mail.",
            inviter=inviter,
            email=to,
            shop=shop,
            hours=INVITATION_HOURS,
            link=link,
        )
    send_mail(to, subject, body)


def resend_invitation(invitation: StaffInvitation, *, owner: StaffUser, link_for: LinkFor) -> None:
    """Mail a new link for a pending invitation, valid 72 hours again; the old one dies."""
    plain = _new_link(invitation)
    db.session.flush()
    record_audit(
        invitation.merchant_id,
        actor=owner.email,
        action="team.invitation_resent",
        changes={"staff": invitation.email},
    )
    _mail_after_commit(invitation, plain, owner, link_for)


def cancel_invitation(invitation: StaffInvitation, *, owner: StaffUser) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitation.cancelled_at = utcnow()
    db.session.flush()
    record_audit(
        invitation.merchant_id,
        actor=owner.email,
        action="team.invitation_cancelled",
        changes={"staff": invitation.email},
    )


def find_invitation(plain: str) -> StaffInvitation:
    """The open invitation behind a link, or one refusal (410) for unknown, expired,
    cancelled and used links, and for an email that has an account by now."""
    digest = hash_invitation_token(plain or "")
    invitation = db.session.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == digest)
    )
    if (
        invitation is None
        or not same_hash(digest, invitation.token_hash)
        or invitation.accepted_at is not None
        or invitation.cancelled_at is not None
        or (as_utc(invitation.expires_at) or utcnow()) <= utcnow()
        or _has_account(invitation.email)
    ):
        raise ServiceError(TeamError.INVITATION_LINK_INVALID, status=410)
    return invitation


def _has_account(address: str) -> bool:
    query = select(StaffUser.id).where(func.lower(StaffUser.email) == address.lower())
    return db.session.scalar(query) is not None


def accept_invitation(plain: str, *, name: str, password: str, confirm: str) -> StaffUser:
    """Create the invitee's account in the invited role; the link is used up."""
    invitation = find_invitation(plain)
    clean_name = (name or "").strip()
    if not clean_name:
        raise ServiceError(TeamError.NAME_REQUIRED, field="name")
    if len(clean_name) > NAME_MAX:
        raise ServiceError(CustomerError.TOO_LONG, field="name", max=NAME_MAX)
    check_new_password(password, confirm)
    user = StaffUser(
        merchant_id=invitation.merchant_id,
        email=invitation.email,
        name=clean_name,
        password_hash=hash_password(password),
        role=invitation.role,
        permission=invitation.permission,
        partner_id=invitation.partner_id,
    )
    db.session.add(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    record_audit(
        invitation.merchant_id,
        actor=user.email,
        action="team.invitation_accepted",
        changes={"staff": user.email},
    )
    return user


def change_role(member: StaffUser, key: str, *, owner: StaffUser) -> None:
    """Give a member another role; audited. The page never offers it on an owner's row
    (the owner's own included), and the service refuses it too."""
    if member.role == Role.OWNER or member.id == owner.id:
        raise ServiceError(TeamError.ROLE_OF_OWNER, field="role", status=403)
    choice = read_role(member.merchant_id, key)
    before = role_key_of(member.role, member.permission, member.partner_id)
    after = role_key_of(choice.role, choice.permission, choice.partner_id)
    if before == after:
        return
    member.role = choice.role
    member.permission = choice.permission
    member.partner_id = choice.partner_id
    db.session.flush()
    db.session.refresh(member, ["partner"])
    record_audit(
        member.merchant_id,
        actor=owner.email,
        action="team.role_changed",
        changes={"staff": member.email, "role": [before, after]},
    )
