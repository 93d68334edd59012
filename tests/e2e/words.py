"""What a person reads on the page, in Dutch and in English, for journeys run in both."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    main_menu: str
    sign_up: str
    log_in: str
    log_out: str
    email: str
    your_name: str
    who_are_you: str
    password: str
    password_again: str
    create_account: str
    check_your_mail: str
    confirm: str
    switch_language: str  # the header's button that switches to this language
    log_in_step_two: str
    app_code: str


DUTCH = Words(
    main_menu="Hoofdmenu",
    sign_up="Aanmelden",
    log_in="Inloggen",
    log_out="Uitloggen",
    email="E-mailadres",
    your_name="Je naam",
    who_are_you="Wie ben je?",
    password="Wachtwoord",
    password_again="Wachtwoord (bevestigen)",
    create_account="Account maken",
    check_your_mail="Kijk in je mailbox",
    confirm="Bevestigen",
    switch_language="Nederlands",
    log_in_step_two="Inloggen: stap 2",
    app_code="Code",
)

ENGLISH = Words(
    main_menu="Main menu",
    sign_up="Sign up",
    log_in="Log in",
    log_out="Log out",
    email="Email",
    your_name="Your name",
    who_are_you="Who are you?",
    password="Password",
    password_again="Password (again)",
    create_account="Create account",
    check_your_mail="Check your email",
    confirm="Confirm",
    switch_language="English",
    log_in_step_two="Log in: step 2",
    app_code="Code",
)
