"""Sign-in through OpenID Connect providers (the province's identity service), beside passwords.

settings.py reads and checks the providers configured in config.py; flow.py speaks OpenID Connect
through Authlib's Flask client; accounts.py finds, links or creates the Hocso account for a
verified identity; views.py holds the start and callback; hooks.py is what it adds to the login
and logout views, registered with app.accounts.external_sign_in. Off unless configured.
"""
