"""The admin's rooms: the home with every task and its figures, the users (find, reset a password,
deactivate, reactivate) and the audit trail."""
