"""The results, drawn: terminal tables (:mod:`.terminal`), Markdown (:mod:`.markdown`), PNG
plots (:mod:`.plots`), and every figure as JSON (:mod:`.jsonfile`)."""
