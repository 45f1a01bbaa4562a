module gorleakcorpus/series-ticker-leak

go 1.19
