"""Detection and recognition of scanned payment documents (SPM, invoices)."""
