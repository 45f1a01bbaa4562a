module gorleakcorpus/series-drain

go 1.19
