module gorleakcorpus/series-growth

go 1.19
