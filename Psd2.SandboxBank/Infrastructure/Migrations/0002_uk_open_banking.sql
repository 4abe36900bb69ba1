-- What a UK Open Banking consent says in its own terms, beside the shared consent (null for Berlin Group ones).
ALTER TABLE consents
    ADD COLUMN permissions       text[],
    ADD COLUMN expires_at        timestamptz,
    ADD COLUMN transaction_from  timestamptz,
    ADD COLUMN transaction_to    timestamptz,
    ADD COLUMN status_updated_at timestamptz;

-- StatusUpdateDateTime, in the bank's business time (real time plus the test clock's offset) like every other
-- instant the bank reports. A trigger, because the status changes in several places (approval, rejection,
-- revocation by the PSU, deletion by the TPP) and each would otherwise have to remember it.
CREATE FUNCTION consents_status_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.status_updated_at := now() + make_interval(secs => (SELECT offset_seconds FROM bank_clock WHERE id = 1));
    RETURN NEW;
END
$$;

CREATE TRIGGER consents_status_updated BEFORE UPDATE OF status ON consents
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION consents_status_updated();

-- Client-credentials tokens (kind 'client') belong to a TPP, not to a consent. Every token issued to a TPP is bound
-- to the TLS client certificate it was issued over (RFC 8705): the SHA-256 of the certificate's DER.
ALTER TABLE tokens ALTER COLUMN consent_id DROP NOT NULL;
ALTER TABLE tokens ADD COLUMN certificate_thumbprint bytea;
