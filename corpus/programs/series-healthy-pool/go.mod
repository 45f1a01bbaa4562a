module gorleakcorpus/series-healthy-pool

go 1.19
