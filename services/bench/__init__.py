"""`sanji bench`: raw NATS/PostgreSQL floors and Sanji's own figures on this machine, side by side."""
