// Lets the NHS.UK frontend styles know that JavaScript runs.
document.body.className += " js-enabled nhsuk-frontend-supported";
