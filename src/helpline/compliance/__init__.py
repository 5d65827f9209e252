"""PII masking, the audit trail."""
