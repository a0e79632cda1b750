"""Federation: identity providers a pool declares and the users their identities become."""
