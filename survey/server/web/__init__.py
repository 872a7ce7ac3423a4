"""HTTP concerns that apply to every page: headers, compression, assets, logs, locale, rate limits."""
