"""The confirmations and outcomes of the activation actions, as whole sentences.

Why: a sentence glued from a verb and a name ("%(action)s %(name)s?") cannot be
translated; Bengali puts the verb last and conjugates it ("… আনব্লক করুন করবেন?"). So
each action has its own sentence with named placeholders, and counts go through
ngettext so that every language gets its plural forms.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext


def confirm_question(action: str, name: str) -> str:
    """The confirmation page's title for one customer, e.g. "Block Budi?"."""
    questions = {
        "accept": lambda: gettext("Accept %(name)s?", name=name),
        "refuse": lambda: gettext("Refuse %(name)s?", name=name),
        "activate": lambda: gettext("Activate %(name)s?", name=name),
        "block": lambda: gettext("Block %(name)s?", name=name),
        "unblock": lambda: gettext("Unblock %(name)s?", name=name),
        "delete": lambda: gettext("Delete %(name)s?", name=name),
    }
    return questions[action]()


def confirm_button(action: str) -> str:
    """The button that carries the action out, e.g. "Yes, block"."""
    buttons = {
        "accept": lambda: gettext("Yes, accept"),
        "refuse": lambda: gettext("Yes, refuse"),
        "activate": lambda: gettext("Yes, activate"),
        "block": lambda: gettext("Yes, block"),
        "unblock": lambda: gettext("Yes, unblock"),
        "delete": lambda: gettext("Yes, delete"),
    }
    return buttons[action]()


def bulk_question(action: str, count: int) -> str:
    """The bulk confirmation's title, e.g. "Block 3 selected customers?"."""
    questions = {
        "accept": lambda: ngettext(
            "Accept %(num)d selected customer?", "Accept %(num)d selected customers?", count
        ),
        "refuse": lambda: ngettext(
            "Refuse %(num)d selected customer?", "Refuse %(num)d selected customers?", count
        ),
        "activate": lambda: ngettext(
            "Activate %(num)d selected customer?", "Activate %(num)d selected customers?", count
        ),
        "block": lambda: ngettext(
            "Block %(num)d selected customer?", "Block %(num)d selected customers?", count
        ),
        "unblock": lambda: ngettext(
            "Unblock %(num)d selected customer?", "Unblock %(num)d selected customers?", count
        ),
        "delete": lambda: ngettext(
            "Delete %(num)d selected customer?", "Delete %(num)d selected customers?", count
        ),
    }
    return questions[action]()


def bulk_done(action: str, count: int) -> str:
    """The flash after a bulk action, e.g. "3 customers blocked."."""
    outcomes = {
        "accept": lambda: ngettext(
            "%(num)d customer accepted.", "%(num)d customers accepted.", count
        ),
        "refuse": lambda: ngettext(
            "%(num)d customer refused.", "%(num)d customers refused.", count
        ),
        "activate": lambda: ngettext(
            "%(num)d customer activated.", "%(num)d customers activated.", count
        ),
        "block": lambda: ngettext("%(num)d customer blocked.", "%(num)d customers blocked.", count),
        "unblock": lambda: ngettext(
            "%(num)d customer unblocked.", "%(num)d customers unblocked.", count
        ),
        "delete": lambda: ngettext(
            "%(num)d customer deleted.", "%(num)d customers deleted.", count
        ),
    }
    return outcomes[action]()


def bulk_skipped(count: int) -> str:
    """The warning for selected customers whose status the action does not fit."""
    return ngettext(
        "%(num)d customer skipped: the action does not fit their status.",
        "%(num)d customers skipped: the action does not fit their status.",
        count,
    )


def not_possible(action: str, status: str) -> str:
    """Why an action was refused for this customer's status, e.g. "This customer cannot
    be blocked while their status is Blocked."."""
    refusals = {
        "accept": lambda: gettext(
            "This customer cannot be accepted while their status is %(status)s.", status=status
        ),
        "refuse": lambda: gettext(
            "This customer cannot be refused while their status is %(status)s.", status=status
        ),
        "activate": lambda: gettext(
            "This customer cannot be activated while their status is %(status)s.", status=status
        ),
        "block": lambda: gettext(
            "This customer cannot be blocked while their status is %(status)s.", status=status
        ),
        "unblock": lambda: gettext(
            "This customer cannot be unblocked while their status is %(status)s.", status=status
        ),
        "delete": lambda: gettext(
            "This customer cannot be deleted while their status is %(status)s.", status=status
        ),
    }
    return refusals[action]()


def bulk_tag_question(adding: bool, tag: str, count: int) -> str:
    """The bulk tag confirmation's title, e.g. "Add the tag “VIP” to 3 selected customers?"."""
    if adding:
        return ngettext(
            "Add the tag “%(tag)s” to %(num)d selected customer?",
            "Add the tag “%(tag)s” to %(num)d selected customers?",
            count,
            tag=tag,
        )
    return ngettext(
        "Remove the tag “%(tag)s” from %(num)d selected customer?",
        "Remove the tag “%(tag)s” from %(num)d selected customers?",
        count,
        tag=tag,
    )


def bulk_tag_done(adding: bool, tag: str, count: int) -> str:
    """The flash after a bulk tag change, e.g. "Tag “VIP” added to 3 customers."."""
    if adding:
        return ngettext(
            "Tag “%(tag)s” added to %(num)d customer.",
            "Tag “%(tag)s” added to %(num)d customers.",
            count,
            tag=tag,
        )
    return ngettext(
        "Tag “%(tag)s” removed from %(num)d customer.",
        "Tag “%(tag)s” removed from %(num)d customers.",
        count,
        tag=tag,
    )


def bulk_tag_skipped(adding: bool, count: int) -> str:
    """The warning for selected customers a bulk tag change did not fit."""
    if adding:
        return ngettext(
            "%(num)d customer skipped: they already have this tag or 50 tags.",
            "%(num)d customers skipped: they already have this tag or 50 tags.",
            count,
        )
    return ngettext(
        "%(num)d customer skipped: they do not have this tag.",
        "%(num)d customers skipped: they do not have this tag.",
        count,
    )
