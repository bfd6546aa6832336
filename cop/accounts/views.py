from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.accounts import identity, sessions, signin
from cop.accounts.forms import (
    EmailChangeForm,
    NameForm,
    PasswordForm,
    SignInForm,
    SignInLinkForm,
    UseSignInLinkForm,
)
from cop.accounts.models import Account
from cop.extensions import db, limiter, login_manager, token_guesses
from cop.forms_common import ConfirmForm, refuse

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    return sessions.account_for_cookie(account_id)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in page cannot be used to redirect elsewhere.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil.example"
    or "/\\evil.example" mean "//evil.example": refuse control characters and backslashes, then parse.
    """
    home = url_for("site.home")
    if not target or any(ord(char) < 32 or ord(char) == 127 or char == "\\" for char in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        account = signin.authenticate(form.email.data, form.password.data)
        if account:
            sessions.sign_in(account)
            return redirect(_safe_next(request.args.get("next")))
        refuse(form, form.password, "Email address or password is not right")
    return render_template("accounts/sign_in.html", form=form), 200 if not form.errors else 400


@bp.route("/sign-in/link", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def request_sign_in_link():
    form = SignInLinkForm()
    if form.validate_on_submit():
        # Known address or not, the answer is the same page at once, by the same path: the lookup, the link
        # and its mail happen after the answer has gone (timing once told who cop knows: 200 ms against 37).
        response = make_response(render_template("accounts/check_email.html", email=form.email.data))
        response.call_on_close(signin.sign_in_link_job(form.email.data))
        return response
    return render_template("accounts/request_link.html", form=form), 200 if not form.errors else 400


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
@token_guesses
@limiter.limit(_sign_in_limit, methods=["POST"])
def use_sign_in_link(token: str):
    form = UseSignInLinkForm()
    if request.method == "GET":
        usable = signin.find_usable_link(token) is not None
        return render_template("accounts/use_link.html", form=form, usable=usable), 200 if usable else 404
    if form.validate_on_submit():
        account = signin.use_sign_in_link(token)
        if account:
            sessions.sign_in(account)
            flash("You are signed in.")
            return redirect(url_for("site.home"))
    return render_template("accounts/use_link.html", form=form, usable=False), 404


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    sessions.sign_out()  # on the server too: a copy of the cookie stops working
    flash("You have signed out.")
    return redirect(url_for("site.home"))


@bp.route("/sign-out/everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    if ConfirmForm().validate_on_submit():
        sessions.sign_out_everywhere(current_user)
        flash("You have signed out everywhere: every browser signed in to your account must sign in again.")
    return redirect(url_for("site.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    has_password = bool(current_user.password_hash)
    form = PasswordForm()
    if form.validate_on_submit():
        if has_password and not signin.password_matches(current_user, form.current_password.data or ""):
            refuse(form, form.current_password, "Your current password is not right")
        elif not has_password and not sessions.is_fresh(current_user):
            refuse(form, form.password, "Sign in again with an emailed link, then set your password within "
                                        f"{sessions.FRESH_MINUTES} minutes")
        else:
            signin.set_password(current_user, form.password.data)
            sessions.end_other_sessions(current_user.id)  # a copied or forgotten session ends here
            db.session.commit()
            flash("Your password has been changed. Any other browser signed in to your account must sign in again.")
            return redirect(url_for("site.home"))
    return render_template("accounts/password.html", form=form, has_password=has_password), \
        200 if not form.errors else 400


def _account_page(name_form=None, email_form=None, status=200):
    return render_template(
        "accounts/account.html", name_form=name_form or NameForm(name=current_user.person.name),
        email_form=email_form or EmailChangeForm(formdata=None)), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The person's own identity: their name here, their e-mail address by a confirmed change."""
    form = NameForm()
    if form.validate_on_submit():
        identity.rename(current_user.person, form.name.data)
        db.session.commit()
        flash("Your name has been saved.")
        return redirect(url_for("accounts.account"))
    return _account_page(name_form=form, status=400 if form.errors else 200)


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        identity.request_email_change(current_user.person, form.new_email.data)
        db.session.commit()
        flash(f"We have sent a link to {form.new_email.data.strip().lower()}: follow it to confirm the change.")
        return redirect(url_for("accounts.account"))
    return _account_page(email_form=form, status=400)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@token_guesses
def confirm_email_change(token: str):
    """A GET shows a button (mail scanners follow links); the POST moves the account."""
    if request.method == "GET" or not UseSignInLinkForm().validate_on_submit():
        usable = identity.pending_change(token) is not None
        return render_template("accounts/confirm_email.html", form=UseSignInLinkForm(), usable=usable), \
            200 if usable else 404
    try:
        person = identity.confirm_email_change(token)
    except LookupError as refusal:
        db.session.rollback()
        return render_template("accounts/email_changed.html", heading="This link cannot be used",
                               message=str(refusal)), 404
    except identity.EmailTaken as refusal:
        db.session.commit()  # the link stays spent
        return render_template("accounts/email_changed.html", heading="That address is already in use",
                               message=str(refusal)), 409
    db.session.commit()
    return render_template("accounts/email_changed.html", heading="Your email address has been changed",
                           message=f"Your account now uses {person.email}.")
