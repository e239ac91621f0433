-- Client API 2FA: the last TOTP time step accepted for the user, so a code is accepted once
-- (RFC 6238 section 5.2). A code is taken by one conditional write that moves the step forward,
-- so two requests with the same code cannot both pass, on any number of server processes.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
