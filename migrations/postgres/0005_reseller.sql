-- A reseller's stock in (assignment, id) order: `fetchlicense` seeks to a random id among the
-- unassigned licenses and `myavailable` pages through them, both without sorting and without
-- reading other resellers' or assigned rows. It starts with the columns of `licenses_reseller`,
-- which it therefore replaces.
CREATE INDEX licenses_reseller_stock ON licenses (reseller_id, discord_user_id, id);
DROP INDEX licenses_reseller;
