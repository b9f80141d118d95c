"""Live sessions of a course (online or in a hall) and who attended them."""
