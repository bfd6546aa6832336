from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from cop.forms_common import SingleLine


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class SignInLinkForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk")])


class UseSignInLinkForm(FlaskForm):
    """Only the CSRF token: the link is spent by a POST, so mail scanners that follow links do not spend it."""


class PasswordForm(FlaskForm):
    # Asked when the account has a password (the view checks it); without one, a fresh sign-in is needed.
    current_password = PasswordField("Current password")
    password = PasswordField("New password", validators=[
        DataRequired("Enter a new password"), Length(min=10, message="Password must be 10 characters or more")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Confirm your new password"), EqualTo("password", message="Passwords must match")])


class NameForm(FlaskForm):
    name = StringField("Full name", validators=[
        DataRequired("Enter your full name"), SingleLine("Name"),
        Length(max=200, message="Name must be 200 characters or fewer")])


class EmailChangeForm(FlaskForm):
    new_email = EmailField("New email address", validators=[
        DataRequired("Enter your new email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"), Length(max=254)])
