-- A reseller's unassigned stock in id order: lets `fetchlicense` seek to a random id and
-- `myavailable` page through the stock without sorting or scanning assigned rows.
CREATE INDEX licenses_reseller_unassigned ON licenses (reseller_id, id) WHERE discord_user_id IS NULL;
