"""Reading the spreadsheets people send, shared by every import: file sniffing, encodings,
header matching (spreadsheets.py) and what was found in each row (row_report.py). Pure."""
