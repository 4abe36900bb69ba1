-- Pending transactions are few (a card purchase's first days), but the read API's status=pending filter and every
-- sync's reconciliation look for them per account: without this index both scanned the whole account (40 ms for an
-- account of 100,000 transactions), with it they read only the pending rows, in the read API's order.
CREATE INDEX ix_transactions_pending ON transactions (account_id, sort_date DESC, id DESC) WHERE status = 'pending';
