"""Signing a staff account in for admin tests (replaced by the two-factor helper)."""


def admin_sign_in(client, user) -> None:
    client.force_login(user)
