module gorleakcorpus/series-mutex-pileup

go 1.19
