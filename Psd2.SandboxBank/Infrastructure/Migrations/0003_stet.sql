-- What a STET consent says beyond the shared consent (null for Berlin Group and UK ones): whether the PSU granted
-- the extended_transaction_history scope, without which transactions older than 90 days are refused.
ALTER TABLE consents ADD COLUMN extended_transaction_history boolean;
