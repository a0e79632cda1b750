"""Small, pure cryptographic building blocks (SRP, passwords, TOTP, secret hash, codes)."""
