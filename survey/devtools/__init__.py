"""What only developers run: translation status and fill, the Babel extractor, the codebook
documents. Nothing imports this package at run time."""
