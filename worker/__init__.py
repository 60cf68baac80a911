"""The long-lived child that owns the credentials, the JWT cache and the HTTP pool."""
