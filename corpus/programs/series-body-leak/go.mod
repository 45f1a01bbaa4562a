module gorleakcorpus/series-body-leak

go 1.19
