# Samverka – English. Every text a user reads lives here (and in sv/, da/).

language-name = English
language-label = Language
language-switch = Change language
skip-to-content = Skip to main content
demo-banner = Demo: every person shown here is synthetic. Never enter real personal data.
footer-text = Samverka – open-source coordination between healthcare, social services, school, the Social Insurance Agency and the Employment Service.
nav-main = Main menu
nav-home = Home
nav-persons = Persons
nav-programmes = Programmes
nav-admin-users = Users
nav-admin-organisations = Organisations
nav-admin-programmes = Manage programmes
nav-account = My account
sign-out = Sign out
back-home = Go to the start page
yes = Yes
no = No
save = Save
saved = Your changes are saved.
create = Create
active = Active
inactive = Inactive
synthetic = synthetic
form-has-errors = Please correct the following
field-required-marker = required
date-hint = Format: YYYY-MM-DD, e.g. 2026-03-01.

## Sign-in
login-title = Sign in
login-username = Username
login-password = Password
login-submit = Sign in
login-failed = The username or password is wrong.
login-throttled = Too many failed attempts. Wait 15 minutes and try again.
login-demo-hint = Demo accounts: admin, coordinator, lead, auditor, primarycare, hospital, social, homecare, school, insurance, employment – all with the password "demo".
totp-title = Enter your one-time code
totp-code = One-time code
totp-code-hint = The six digits your authenticator app shows now.
totp-submit = Continue
totp-code-wrong = That code is wrong or has expired. Enter the code your app shows now.
totp-setup-expired = The setup has expired. Start again.
totp-step-scan = Scan the QR code with an authenticator app (or type the key below into it).
totp-step-code = Enter the six-digit code the app shows, to confirm.
totp-qr-alt = QR code for setting up the authenticator app
totp-secret-label = Key:
totp-confirm = Turn on two-step sign-in

## Home
home-title = Start
home-welcome = Welcome, { $name }
home-memberships = Where you work
home-no-memberships = You are not a member of any unit yet. Ask an administrator.
home-next = What you can do
col-unit = Unit
col-organisation = Organisation
col-role = Role
col-name = Name
col-sector = Sector
col-country = Country
col-status = Status
col-actions = Actions

## Account
account-title = My account
account-change-password = Change password
account-current-password = Current password
account-new-password = New password
account-confirm-password = Repeat the new password
account-password-hint = At least 10 characters. A few unrelated words make a good password.
account-totp = Two-step sign-in
account-totp-on = Two-step sign-in with an authenticator app is on.
account-totp-off = Two-step sign-in is off. Turn it on to protect your account with a one-time code.
account-totp-enable = Turn on two-step sign-in
account-totp-disable = Turn off two-step sign-in
password-too-short = The password must be at least { $min } characters.
password-wrong = The password is wrong.
password-mismatch = The two new passwords are not the same.

## Programmes
programmes-title = Programmes
programmes-none = There are no programmes yet.
programme-period = Period
programme-country = Country
programme-organisations = Participating organisations
programme-description = Description
programme-new = New programme
programme-starts-on = Starts on
programme-ends-on = Ends on (optional)

## Persons
persons-title = Find a person
persons-search = Search
persons-search-label = Name or identity number
persons-search-hint = Type part of the name, or a full personnummer, samordningsnummer or CPR number.
persons-results = Search results
persons-none-found = No person matches the search.
persons-truncated = Only the first 50 matches are shown. Make the search more precise.
persons-register = Register a new person
persons-register-submit = Register person
persons-back = Back to the search
person-name = Name
person-identity = Identity
person-contact = Contact and language
person-national-id = Identity number
person-national-id-hint = Swedish: YYYYMMDD-NNNN or YYMMDD-NNNN. Danish: DDMMYY-SSSS.
person-id-scheme = Kind of number
person-given-name = Given name
person-family-name = Family name
person-birth-date = Date of birth
person-sex = Sex
person-address = Address
person-street = Street address
person-postal-code = Postal code
person-city = City
person-phone = Phone
person-language = Preferred language
person-language-hint = A language code, e.g. sv, da, en, ar, so.
person-interpreter = Needs an interpreter
person-protected-identity = Protected identity: the address is not shown.
person-protected-identity-label = Protected identity (address must never be shown)
person-synthetic-note = This is a synthetic demo person, not a real one.
sex-female = Female
sex-male = Male
id-scheme-swedish = Swedish personnummer or samordningsnummer
id-scheme-danish = Danish CPR number
id-scheme-reserve = Local reserve number
id-kind-personnummer = personnummer
id-kind-samordningsnummer = samordningsnummer
id-kind-cpr = CPR number
id-kind-reserve = reserve number

## Administration
org-new = New organisation
units-title = Units
units-none = This organisation has no units yet.
unit-new = New unit
user-new = New user
user-display-name = Full name
user-email = E-mail (optional)
user-username-hint = 2–64 characters: lower-case letters, digits, dot, dash or underscore.
user-initial-password = Initial password
user-reset-password = Set a new password
user-reset-password-hint = The user's sessions end, and they sign in with this password.
user-access = Access
user-deactivate = Deactivate user
user-deactivate-hint = A deactivated user is signed out at once and can no longer sign in.
user-reactivate = Reactivate user
user-memberships = Memberships: units and roles
membership-add = Add membership
membership-remove = Remove
country-se = Sweden
country-dk = Denmark

## Roles
role-administrator = Administrator
role-coordinator = Coordinator
role-professional = Professional
role-programme_lead = Programme lead
role-auditor = Auditor

## Sectors
sector-primary_care = Primary care
sector-hospital = Hospital
sector-psychiatry = Psychiatry
sector-social_services = Social services
sector-needs_assessment = Needs assessment
sector-home_care = Home care and home nursing
sector-school_health = School health
sector-child_health = Child health
sector-social_insurance = Social Insurance Agency
sector-employment_service = Employment Service
sector-association = Association
sector-private_provider = Private provider
sector-university = University
sector-other = Other

## Field messages
field-required = This field is required.
field-too-long = At most { $max } characters.
field-control-character = Remove the control characters from this field.
date-invalid = "{ $value }" is not a date. Use YYYY-MM-DD.
date-end-before-start = The end date is before the start date.
country-unknown = Choose Sweden or Denmark.
sector-unknown = Choose a sector from the list.
name-taken = This name is already in use.
organisation-unknown = One of the chosen organisations does not exist.
unit-unknown = Choose a unit from the list.
role-unknown = Choose a role from the list.
username-invalid = Use 2–64 characters: lower-case letters, digits, dot, dash or underscore.
username-taken = This username is already in use.
email-invalid = This is not an e-mail address.
user-cannot-deactivate-self = You cannot deactivate your own account.
id-scheme-unknown = Choose the kind of number from the list.
sex-unknown = Choose female, male or nothing.
phone-invalid = A phone number may only contain digits, spaces, +, - and parentheses.
language-invalid = Use a language code such as sv, da or en.
national-id-already-registered = A person with this identity number is already registered. Search for them instead.
national-id-empty = Enter the identity number.
national-id-invalid-character = The character "{ $character }" at position { $position } is not allowed. Use digits and at most one - or +.
national-id-wrong-length = A Swedish number has 10 or 12 digits; this one has { $digits }.
national-id-cpr-wrong-length = A CPR number has 10 digits; this one has { $digits }.
national-id-multiple-separators = Use at most one separator (- or +).
national-id-misplaced-separator = The separator must stand before the last four digits.
national-id-plus-in-twelve-digit-form = A 12-digit number is written without +.
national-id-invalid-century = The century { $century } is not possible.
national-id-invalid-month = There is no month { $month }.
national-id-invalid-day = There is no day { $day } in that month.
national-id-in-future = The date of birth is in the future.
national-id-checksum-mismatch = The check digit is wrong (the last digit should be { $expected }, not { $found }). Check for a typing error.
national-id-reserve-too-long = A reserve number has at most { $max } characters.

## Errors
error-forbidden-title = Not allowed
error-forbidden = Your role does not allow you to use this page. If you need it for your work, ask an administrator.
error-csrf = The form had expired or did not come from Samverka. Go back, reload the page and try again.
error-not-found-title = Page not found
error-not-found = There is nothing at this address, or it is not available to you.
error-bad-request-title = Something is wrong with the request
error-invalid-request = The request could not be understood.
error-form-missing = The form data is missing.
error-form-too-large = The form is too large.
error-form-unreadable = The form data could not be read.
error-internal-title = Something went wrong
error-internal = Samverka could not complete the request. Nothing was changed. Try again, and tell your administrator if it happens again.
