"""Categories: built-in and custom, create, rename, delete."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField

from portal.core.errors import NotFound, ServiceError
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import redirect_after_post
from portal.merchants.blueprint import bp
from portal.merchants.categories import (
    create_category,
    customers_using,
    delete_category,
    get_category,
    list_categories,
    rename_category,
)
from portal.merchants.list_forms import category_label
from portal.sessions import current_staff
from portal.staff.access import console_reader, console_writer, staff_actor
from portal.staff.models import StaffUser


class CategoryForm(FlaskForm):
    name = StringField(_l("Category name"), render_kw={"maxlength": "100", "required": True})


class DeleteCategoryForm(FlaskForm):
    reassign_to = SelectField(_l("Move its customers to"), choices=[], validate_choice=False)


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _page(
    form: CategoryForm, *, rename_code: str = "", rename_form: CategoryForm | None = None
) -> Response:
    """The categories page; a refused create shows on `form`, a refused rename on the
    `rename_form` of its row."""
    user = _staff()
    html = render_template(
        "merchants/categories.html",
        rows=list_categories(user.merchant_id),
        form=form,
        can_write=user.can_write,
        rename_code=rename_code,
        rename_form=rename_form,
        active_nav="merchants.categories",
    )
    refused = form.errors or (rename_form is not None and rename_form.errors)
    return Response(html, status=422 if refused else 200, mimetype="text/html")


@bp.get("/categories")
@console_reader
def categories() -> Response:
    """Built-in N / Y / D and the merchant's own categories, with customer counts."""
    return _page(CategoryForm(formdata=None))


@bp.post("/categories")
@console_writer
def create_category_view() -> Response:
    form = CategoryForm()
    if not form.validate_on_submit():
        refused_submission(form)
        return _page(form)
    user = _staff()
    try:
        created = create_category(user.merchant_id, name=form.name.data, actor=staff_actor(user))
    except ServiceError as err:
        show_refusal(form, err)
        return _page(form)
    flash(gettext("Category %(name)s has been created", name=created.name), "success")
    return redirect_after_post(url_for("merchants.categories"))


@bp.post("/categories/<code>/rename")
@console_writer
def rename_category_view(code: str) -> Response:
    form = CategoryForm()
    blank = CategoryForm(formdata=None)
    if not form.validate_on_submit():
        refused_submission(form)
        return _page(blank, rename_code=code, rename_form=form)
    user = _staff()
    try:
        renamed = rename_category(
            user.merchant_id, code, name=form.name.data, actor=staff_actor(user)
        )
    except NotFound:
        raise
    except ServiceError as err:
        show_refusal(form, err)
        return _page(blank, rename_code=code, rename_form=form)
    flash(gettext("Category renamed to %(name)s", name=renamed.name), "success")
    return redirect_after_post(url_for("merchants.categories"))


@bp.route("/categories/<code>/delete", methods=["GET", "POST"])
@console_writer
def delete_category_view(code: str) -> Response:
    """Confirmation step (with a target category when customers use it), then delete."""
    user = _staff()
    category = get_category(user.merchant_id, code)
    used = customers_using(user.merchant_id, code)
    form = DeleteCategoryForm()
    form.reassign_to.choices = [
        (row.code, category_label(row.code, row.name))
        for row in list_categories(user.merchant_id, with_counts=False)
        if row.code != code
    ]
    if request.method == "POST" and not form.validate_on_submit():
        refused_submission(form)
    elif request.method == "POST":
        name = category.name
        try:
            moved = delete_category(
                user.merchant_id,
                code,
                actor=staff_actor(user),
                reassign_to=form.reassign_to.data if used else None,
            )
        except ServiceError as err:
            show_refusal(form, err)
        else:
            flash(
                ngettext(
                    "Category %(name)s has been deleted; %(num)d customer moved.",
                    "Category %(name)s has been deleted; %(num)d customers moved.",
                    moved,
                    name=name,
                ),
                "success",
            )
            return redirect_after_post(url_for("merchants.categories"))
    html = render_template(
        "merchants/category_delete.html",
        category=category,
        used=used,
        form=form,
        active_nav="merchants.categories",
    )
    return Response(html, status=422 if form.errors else 200, mimetype="text/html")
