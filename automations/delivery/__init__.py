"""Where documents are delivered beyond the output folder: a shared Google Drive folder."""
